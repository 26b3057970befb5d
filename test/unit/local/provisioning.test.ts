import { describe, expect, it } from "vitest";
import { pickSet, podsNeeded, sharesOf, underProvisioned } from "../../local/provisioning.ts";
import { formatArms, requestFigures, stepFigures } from "../../local/scenarios/upgrade-figures.ts";
import type { RequestRecord } from "../../local/weighted-load.ts";

describe("under-provisioned, by the HPA's measure", () => {
  it("needs ceil(share × D) Ready pods, and none for no share", () => {
    expect(podsNeeded(0.25, 9)).toBe(3);
    expect(podsNeeded(0.5, 9)).toBe(5);
    expect(podsNeeded(1, 9)).toBe(9);
    expect(podsNeeded(0, 9)).toBe(0);
    // 0.3 × 10 is 3.0000000000000004 in floats: three pods, not four.
    expect(podsNeeded(0.3, 10)).toBe(3);
  });

  it("counts a cluster with fewer Ready pods than its share needs, not one with exactly enough", () => {
    expect(underProvisioned(2, 0.25, 9)).toBe(true);
    expect(underProvisioned(3, 0.25, 9)).toBe(false);
    expect(underProvisioned(0, 0, 9)).toBe(false);
  });
});

describe("shares as Route53 answers weighted records", () => {
  it("gives each set weight / total, nothing at weight 0, and equal shares when every weight is 0", () => {
    expect(sharesOf({ blue: 75, green: 25 })).toEqual({ blue: 0.75, green: 0.25 });
    expect(sharesOf({ blue: 100, green: 0 })).toEqual({ blue: 1, green: 0 });
    expect(sharesOf({ blue: 0, green: 0 })).toEqual({ blue: 0.5, green: 0.5 });
  });

  it("sends exactly the shares, and never to a set at share 0", () => {
    const sent: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const id = pickSet({ blue: 0.75, green: 0.25, grey: 0 }, sent);
      sent[id] = (sent[id] ?? 0) + 1;
    }
    expect(sent).toEqual({ blue: 75, green: 25 });
  });
});

const record = (r: Partial<RequestRecord>): RequestRecord => ({
  at: 0,
  cluster: "blue",
  status: 200,
  latencyMs: 1,
  share: 1,
  need: 9,
  ready: 9,
  underProvisioned: false,
  ...r,
});

describe("the cluster-upgrade figures", () => {
  it("counts failures (no answer or an error status) and under-provisioned requests, with the worst shortfall", () => {
    const figures = requestFigures([
      record({}),
      record({ status: 0 }),
      record({ status: 503 }),
      record({ status: 204 }),
      record({ cluster: "green", share: 0.5, need: 5, ready: 2, underProvisioned: true }),
      record({ cluster: "green", share: 0.25, need: 3, ready: 2, underProvisioned: true }),
    ]);
    expect(figures).toMatchObject({ requests: 6, failed: 2, underProvisioned: 2 });
    expect(figures.underProvisionedPercent).toBeCloseTo(33.33, 1);
    expect(figures.worst).toEqual({ cluster: "green", need: 5, ready: 2 });
    expect(figures.byCluster).toEqual({ blue: 4, green: 2 });
  });

  it("times each step from the previous step's weights (or the start) to its own, with the capacity it waited for", () => {
    const changes = [
      { at: 500, greenPercent: 0 },
      { at: 2000, greenPercent: 10 },
      { at: 5000, greenPercent: 50 },
    ];
    expect(stepFigures(changes, 1000, new Map([[50, 1200]]))).toEqual([
      { percent: 10, ms: 1000, capacityWaitMs: undefined },
      { percent: 50, ms: 3000, capacityWaitMs: 1200 },
    ]);
  });

  it("prints the arms side by side", () => {
    const arm = (name: string, under: number) => ({
      arm: name,
      upgrade: name,
      ...requestFigures([record({ underProvisioned: under > 0, ready: 2 })]),
      steps: [{ percent: 100, ms: 1500 }],
      toFullMs: 1500,
      totalMs: 3000,
    });
    const text = formatArms([arm("mirroring off", 1), arm("mirroring on", 0)]);
    const row = (label: string) => text.split("\n").find((l) => l.trimStart().startsWith(label)) ?? "";
    expect(row("to an under-provisioned cluster")).toMatch(/1 \(100\.0 %\)\s+0 \(0\.0 %\)$/);
    expect(row("step 1")).toMatch(/100 % in 1\.5 s\s+100 % in 1\.5 s$/);
    expect(row("total")).toMatch(/3\.0 s\s+3\.0 s$/);
  });
});
