import { describe, expect, it } from "vitest";
import { freeCapacity, headroomUnits, type PoolFacts } from "../../../functions/core/prescaling/headroom.ts";
import { sizingSchema } from "../../../functions/core/prescaling/policy.ts";

const gib = 2 ** 30;
const unit = { cpuMillis: 500, memoryBytes: gib };

function pool(nodes: number, coresEach = 4, requestedCpu = 1000, requestedMemory = 2 * gib): PoolFacts {
  return {
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `n${i}`,
      allocatable: { cpuMillis: coresEach * 1000, memoryBytes: 16 * gib },
      requested: { cpuMillis: requestedCpu, memoryBytes: requestedMemory },
    })),
    placeholders: { running: 0, pending: 0 },
  };
}

const units = (sizing: unknown, facts: PoolFacts) => headroomUnits(sizingSchema.parse(sizing), unit, facts);

describe("headroom sizing", () => {
  it("holds a fixed number of units (Ocean's manual headroom)", () => {
    expect(units({ mode: "units", units: 7 }, pool(3))).toBe(7);
  });

  it("holds a share of what pods request, by the scarcer resource (Ocean's automatic headroom)", () => {
    // 10 nodes × 1000m requested = 10 cores; 20% = 2000m = 4 units. Memory: 20 GiB × 20% = 4 GiB = 4 units.
    expect(units({ mode: "percent", cpuPercent: 20, memoryPercent: 20 }, pool(10))).toBe(4);
    expect(units({ mode: "percent", cpuPercent: 20, memoryPercent: 50 }, pool(10))).toBe(10);
  });

  it("grows with cores or nodes, whichever asks more (linear mode)", () => {
    expect(units({ mode: "linear", coresPerUnit: 16, nodesPerUnit: 3 }, pool(10))).toBe(4);
    expect(units({ mode: "linear", coresPerUnit: 8 }, pool(10))).toBe(5);
    expect(units({ mode: "linear", nodesPerUnit: 100, max: 3, min: 1 }, pool(10))).toBe(1);
    expect(units({ mode: "linear", nodesPerUnit: 100, preventSinglePointFailure: true }, pool(2))).toBe(2);
    expect(units({ mode: "linear", coresPerUnit: 1, max: 3 }, pool(10))).toBe(3);
  });

  it("steps by thresholds, none below the first (ladder mode)", () => {
    const ladder = {
      mode: "ladder",
      coresToUnits: [
        [16, 1],
        [64, 3],
        [512, 5],
      ],
      nodesToUnits: [
        [1, 1],
        [50, 4],
      ],
    };
    expect(units(ladder, pool(2))).toBe(1);
    expect(units(ladder, pool(20))).toBe(3);
    expect(units(ladder, pool(60))).toBe(4);
    expect(units({ mode: "ladder", coresToUnits: [[100, 2]] }, pool(2))).toBe(0);
  });

  it("rejects a sizing it cannot use", () => {
    expect(sizingSchema.safeParse({ mode: "linear" }).success).toBe(false);
    expect(sizingSchema.safeParse({ mode: "percent" }).success).toBe(false);
    expect(
      sizingSchema.safeParse({
        mode: "ladder",
        coresToUnits: [
          [64, 1],
          [16, 2],
        ],
      }).success,
    ).toBe(false);
    expect(sizingSchema.safeParse({ mode: "units", units: 2, extra: 1 }).success).toBe(false);
  });
});

describe("free capacity", () => {
  it("counts whole units per node, not the pool's total", () => {
    // Each node has 700m free: 1 unit each, though 2.1 cores are free in all.
    const facts = pool(3, 4, 3300, 0);
    const free = freeCapacity(facts, unit);
    expect(free.units).toBe(3);
    expect(free.cpuMillis).toBe(2100);
  });

  it("is bounded by the scarcer resource", () => {
    const facts = pool(1, 4, 0, 15.5 * gib);
    expect(freeCapacity(facts, unit).units).toBe(0);
  });

  it("is nothing on a full pool", () => {
    expect(freeCapacity(pool(2, 4, 5000), unit).units).toBe(0);
  });
});
