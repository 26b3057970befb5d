import type { Sizing } from "./policy.ts";

// Headroom: how much to hold (sizing), and how much is really free to schedule into (capacity).

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

export interface PoolNode {
  name: string;
  allocatable: Resources;
  /** Requests of the pods bound to it, headroom placeholders excluded: their room is free to real pods. */
  requested: Resources;
}

export interface PoolFacts {
  /** Ready, schedulable nodes of the pool. */
  nodes: PoolNode[];
  placeholders: { running: number; pending: number };
}

/** The number of headroom units a sizing rule asks for, given the pool as it is. */
export function headroomUnits(sizing: Sizing, unit: Resources, pool: PoolFacts): number {
  const nodes = pool.nodes.length;
  const cores = pool.nodes.reduce((sum, n) => sum + n.allocatable.cpuMillis, 0) / 1000;
  switch (sizing.mode) {
    case "units":
      return sizing.units;
    case "percent": {
      // Ocean's automatic headroom: a share of what the pool's pods request, in whole units.
      const cpu = pool.nodes.reduce((sum, n) => sum + n.requested.cpuMillis, 0) * (sizing.cpuPercent / 100);
      const memory = pool.nodes.reduce((sum, n) => sum + n.requested.memoryBytes, 0) * (sizing.memoryPercent / 100);
      return Math.max(ratioUp(cpu, unit.cpuMillis), ratioUp(memory, unit.memoryBytes));
    }
    case "linear": {
      // cluster-proportional-autoscaler's linear mode.
      let units = Math.max(
        sizing.coresPerUnit ? Math.ceil(cores / sizing.coresPerUnit) : 0,
        sizing.nodesPerUnit ? Math.ceil(nodes / sizing.nodesPerUnit) : 0,
      );
      if (sizing.preventSinglePointFailure && nodes > 1) units = Math.max(units, 2);
      return Math.min(Math.max(units, sizing.min), sizing.max);
    }
    case "ladder":
      // cluster-proportional-autoscaler's ladder mode; below the first step, no units.
      return Math.max(step(sizing.coresToUnits, cores), step(sizing.nodesToUnits, nodes));
  }
}

function ratioUp(amount: number, per: number): number {
  return per > 0 ? Math.ceil(amount / per) : 0;
}

function step(ladder: [number, number][] | undefined, value: number): number {
  let units = 0;
  for (const [threshold, n] of ladder ?? []) if (value >= threshold) units = n;
  return units;
}

export interface FreeCapacity extends Resources {
  /** Whole units that fit on the pool's nodes right now, node by node, counting placeholders' room as free. */
  units: number;
}

/** What real pods could be scheduled into now without a new node: the headroom actually there. */
export function freeCapacity(pool: PoolFacts, unit: Resources): FreeCapacity {
  let units = 0;
  let cpuMillis = 0;
  let memoryBytes = 0;
  for (const node of pool.nodes) {
    const cpu = Math.max(node.allocatable.cpuMillis - node.requested.cpuMillis, 0);
    const memory = Math.max(node.allocatable.memoryBytes - node.requested.memoryBytes, 0);
    cpuMillis += cpu;
    memoryBytes += memory;
    const fits = [
      unit.cpuMillis > 0 ? cpu / unit.cpuMillis : Infinity,
      unit.memoryBytes > 0 ? memory / unit.memoryBytes : Infinity,
    ];
    const n = Math.min(...fits);
    units += Number.isFinite(n) ? Math.floor(n) : 0;
  }
  return { units, cpuMillis, memoryBytes };
}
