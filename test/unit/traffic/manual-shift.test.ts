import { describe, expect, it } from "vitest";
import type { TrafficDomain } from "../../../functions/core/traffic/domain.ts";
import { idleSet, manualShift, stepAt } from "../../../functions/core/traffic/manual-shift.ts";
import type { RolloutMetadata } from "../../../functions/core/traffic/metadata.ts";
import { presets } from "../../../functions/core/traffic/plan.ts";
import type { DomainSnapshot } from "../../../functions/core/traffic/ports.ts";
import { type Context, resume } from "../../../functions/core/traffic/transitions.ts";

const now = Date.parse("2025-01-01T00:00:00Z");
const domain: TrafficDomain = {
  name: "app",
  hostedZoneId: "Z1",
  recordName: "app.example.com.",
  recordType: "A",
  metadataRecordName: "_harbormaster.app.example.com.",
  setIdentifiers: ["blue", "green"],
  alarms: [],
  insufficientData: "proceed",
  insufficientDataRetrySeconds: 60,
  maxInsufficientDataWaits: 10,
  plan: { name: "Linear10PercentEvery1Minute", steps: presets.Linear10PercentEvery1Minute ?? [] },
  applications: [],
};

function ctx(weights: Record<string, number>, metadata?: RolloutMetadata): Context {
  const snapshot: DomainSnapshot = {
    weights,
    unknownRecords: [],
    ttlSeconds: 60,
    metadata,
    metadataUnreadable: false,
    raw: [],
  };
  return { domain, snapshot, alarms: [], now };
}

const request = { percent: 30, actor: "slack:U1", reason: "by hand", rolloutId: "r-manual" };

function rollout(weights: Record<string, number>, step: number): RolloutMetadata {
  return {
    rolloutId: "r-1",
    target: "green",
    status: "running",
    step,
    planName: domain.plan.name,
    steps: domain.plan.steps,
    baseline: { blue: 100, green: 0 },
    weights,
    revision: 4,
    startedAt: now - 60_000,
    updatedAt: now,
    bakeUntil: now,
    waits: 0,
  };
}

describe("a manual shift", () => {
  it("with no rollout, starts one toward the idle set, paused, with today's weights as its baseline", () => {
    const d = manualShift(ctx({ blue: 100, green: 0 }), request);
    expect(d.kind).toBe("write");
    if (d.kind !== "write") return;
    expect(d.weights).toEqual({ blue: 70, green: 30 });
    expect(d.metadata).toMatchObject({ target: "green", status: "paused", baseline: { blue: 100, green: 0 }, step: 2 });
    expect(d.scheduleAt).toBeUndefined();
    expect(d.announce.map((a) => a.type)).toEqual(["rollout_started", "rollout_shifted"]);
  });

  it("in a rollout, moves its target to the percent of the baseline's traffic and pauses the plan", () => {
    const d = manualShift(ctx({ blue: 90, green: 10 }, rollout({ blue: 90, green: 10 }, 0)), {
      ...request,
      percent: 55,
    });
    expect(d.kind).toBe("write");
    if (d.kind !== "write") return;
    expect(d.weights).toEqual({ blue: 45, green: 55 });
    expect(d.metadata).toMatchObject({
      rolloutId: "r-1",
      status: "paused",
      step: 4,
      baseline: { blue: 100, green: 0 },
    });
    expect(d.metadata.bakeUntil).toBe(now + 60_000);
    // resume goes on from the first step above 55%, once the new weights have baked
    const resumed = resume({ ...ctx(d.weights, d.metadata) }, d.metadata);
    expect(resumed).toMatchObject({
      kind: "write",
      scheduleAt: now + 60_000,
      metadata: { status: "running", step: 4 },
    });
  });

  it("twice to the same percent writes once", () => {
    const first = manualShift(ctx({ blue: 90, green: 10 }, rollout({ blue: 90, green: 10 }, 0)), request);
    if (first.kind !== "write") throw new Error("expected a write");
    expect(manualShift(ctx(first.weights, first.metadata), request)).toMatchObject({ kind: "none" });
  });

  it("refuses another target than the rollout's, and records changed by hand", () => {
    const m = rollout({ blue: 90, green: 10 }, 0);
    expect(manualShift(ctx({ blue: 90, green: 10 }, m), { ...request, target: "blue" })).toMatchObject({
      kind: "none",
      announce: [{ type: "rollout_refused" }],
    });
    expect(manualShift(ctx({ blue: 80, green: 20 }, m), request)).toMatchObject({
      kind: "none",
      announce: [{ type: "rollout_conflict" }],
    });
  });

  it("asks which set when none is idle, and refuses a set the domain does not have", () => {
    expect(manualShift(ctx({ blue: 50, green: 50 }), request)).toMatchObject({
      kind: "none",
      why: "say which set gets the traffic: shift app 30 to <blue|green>",
    });
    expect(manualShift(ctx({ blue: 100, green: 0 }), { ...request, target: "red" })).toMatchObject({
      why: "target red is not one of blue, green",
    });
  });

  it("away from a set that had everything, gives the rest to the others", () => {
    const d = manualShift(ctx({ blue: 0, green: 100 }), { ...request, target: "green" });
    expect(d).toMatchObject({ kind: "write", weights: { blue: 70, green: 30 } });
  });
});

describe("helpers", () => {
  it("finds the step at or below a percent, and the idle set", () => {
    expect(stepAt(presets.Canary10Percent5Minutes ?? [], 5)).toBe(-1);
    expect(stepAt(presets.Canary10Percent5Minutes ?? [], 50)).toBe(0);
    expect(stepAt(presets.Canary10Percent5Minutes ?? [], 100)).toBe(1);
    expect(idleSet({ a: 50, b: 50, c: 0 }, ["a", "b", "c"])).toBe("c");
    expect(idleSet({ a: 0, b: 0, c: 100 }, ["a", "b", "c"])).toBeUndefined();
  });
});
