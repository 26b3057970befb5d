// A stated model of one traffic spike, replayed second by second with and without pre-scaling and headroom.
// Figures from the seeds: 30,000 req/s at peak, a third of that off-peak, about 5 pods per node, an HPA
// target of 60% CPU, node provisioning of 3–4 minutes. Assumed (the seeds do not say): 1,000 req/s per pod
// at full CPU, 20 s from pod creation to Ready, a request over capacity fails.

export interface Model {
  troughRps: number;
  peakRps: number;
  podCapacityRps: number;
  podsPerNode: number;
  hpaTarget: number;
  hpaSyncSeconds: number;
  podReadySeconds: number;
  nodeProvisionSeconds: number;
  autoscalerScanSeconds: number;
  spikeStart: number;
  spikeRampSeconds: number;
  spikeEnd: number;
  duration: number;
}

export const seedModel: Model = {
  troughRps: 10_000,
  peakRps: 30_000,
  podCapacityRps: 1_000,
  podsPerNode: 5,
  hpaTarget: 0.6,
  hpaSyncSeconds: 15,
  podReadySeconds: 20,
  nodeProvisionSeconds: 210,
  autoscalerScanSeconds: 10,
  spikeStart: 900,
  spikeRampSeconds: 120,
  spikeEnd: 2_100,
  duration: 2_400,
};

export interface Strategy {
  name: string;
  /** Standing headroom, in pod-sized units (placeholder pods). */
  headroomUnits: number;
  /** When the floor is raised (seconds), and to what multiple of the replicas then. */
  raise?: { at: number; factor: number };
}

export interface Outcome {
  strategy: string;
  requests: number;
  failed: number;
  failedShare: number;
  secondsWithFailures: number;
  firstFailureAt: number | null;
  lastFailureAt: number | null;
  series: { t: number; rps: number; capacity: number }[];
}

export function rpsAt(m: Model, t: number): number {
  if (t < m.spikeStart || t >= m.spikeEnd) return m.troughRps;
  const ramp = Math.min((t - m.spikeStart) / m.spikeRampSeconds, 1);
  return m.troughRps + (m.peakRps - m.troughRps) * ramp;
}

export function simulate(m: Model, s: Strategy): Outcome {
  let minReplicas = Math.ceil(m.troughRps / (m.hpaTarget * m.podCapacityRps));
  let desired = minReplicas;
  // Pods: ready at a time (Infinity while Pending). Placeholders only hold slots.
  const pods: { readyAt: number; placed: boolean }[] = [];
  let placeholdersPlaced = 0;
  let placeholdersPending = 0;
  let nodes = Math.ceil((minReplicas + s.headroomUnits) / m.podsPerNode);
  const provisioning: number[] = [];
  for (let i = 0; i < minReplicas; i++) pods.push({ readyAt: 0, placed: true });
  placeholdersPlaced = s.headroomUnits;

  let requests = 0;
  let failed = 0;
  let secondsWithFailures = 0;
  let firstFailureAt: number | null = null;
  let lastFailureAt: number | null = null;
  const series: Outcome["series"] = [];

  for (let t = 0; t < m.duration; t++) {
    // Nodes that finished provisioning.
    for (let i = provisioning.length - 1; i >= 0; i--) {
      if ((provisioning[i] ?? Infinity) <= t) {
        provisioning.splice(i, 1);
        nodes++;
      }
    }
    if (s.raise && t === s.raise.at) {
      minReplicas = Math.ceil(pods.length * s.raise.factor);
      desired = Math.max(desired, minReplicas);
    }
    const ready = pods.filter((p) => p.readyAt <= t).length;
    const rps = rpsAt(m, t);
    const capacity = ready * m.podCapacityRps;
    // The HPA sees CPU, which cannot show more than 100%: saturated, it grows by 1/target per sync.
    if (t % m.hpaSyncSeconds === 0 && ready > 0) {
      const utilization = Math.min(rps / capacity, 1);
      const proposal = Math.ceil(ready * (utilization / m.hpaTarget));
      if (Math.abs(utilization / m.hpaTarget - 1) > 0.1) desired = Math.max(desired, proposal, minReplicas);
    }
    while (pods.length < desired) pods.push({ readyAt: Infinity, placed: false });

    // The scheduler: free slots first, then preempting placeholders.
    const slots = nodes * m.podsPerNode;
    let used = pods.filter((p) => p.placed).length + placeholdersPlaced;
    for (const pod of pods) {
      if (pod.placed) continue;
      if (used < slots) used++;
      else if (placeholdersPlaced > 0) {
        placeholdersPlaced--;
        placeholdersPending++;
      } else continue;
      pod.placed = true;
      pod.readyAt = t + m.podReadySeconds;
    }
    while (placeholdersPending > 0 && used < slots) {
      placeholdersPending--;
      placeholdersPlaced++;
      used++;
    }
    // The cluster autoscaler: nodes for every pending pod, placeholders included, once per scan.
    if (t % m.autoscalerScanSeconds === 0) {
      const pending = pods.filter((p) => !p.placed).length + placeholdersPending;
      const coming = provisioning.length * m.podsPerNode;
      const more = Math.ceil(Math.max(pending - coming, 0) / m.podsPerNode);
      for (let i = 0; i < more; i++) provisioning.push(t + m.nodeProvisionSeconds);
    }

    const lost = Math.max(rps - capacity, 0);
    requests += rps;
    failed += lost;
    if (lost > 0) {
      secondsWithFailures++;
      firstFailureAt ??= t;
      lastFailureAt = t;
    }
    if (t % 10 === 0) series.push({ t, rps, capacity });
  }
  return {
    strategy: s.name,
    requests: Math.round(requests),
    failed: Math.round(failed),
    failedShare: failed / requests,
    secondsWithFailures,
    firstFailureAt,
    lastFailureAt,
    series,
  };
}

/** The strategies compared: the seeds' reactive setup, headroom alone, and Harbormaster's raises. */
export function strategies(m: Model, alarmToPatchSeconds: number): Strategy[] {
  // A CloudWatch alarm on one 60 s datapoint fires about a minute into the spike.
  const alarmAt = m.spikeStart + 60 + Math.ceil(alarmToPatchSeconds);
  const factor = m.peakRps / m.troughRps;
  return [
    { name: "HPA 60% + cluster autoscaler", headroomUnits: 0 },
    { name: "+ standing headroom (1 node)", headroomUnits: m.podsPerNode },
    { name: "+ headroom, floor raised on ALARM", headroomUnits: m.podsPerNode, raise: { at: alarmAt, factor } },
    {
      name: "+ headroom, floor raised by a window (10 min ramp)",
      headroomUnits: m.podsPerNode,
      raise: { at: m.spikeStart - 600, factor },
    },
  ];
}
