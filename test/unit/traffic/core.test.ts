import { describe, expect, it } from "vitest";
import { backoffDelay, withBackoff } from "../../../functions/core/traffic/backoff.ts";
import { bakeSeconds, gate } from "../../../functions/core/traffic/gate.ts";
import { decodeMetadata, encodeMetadata, type RolloutMetadata } from "../../../functions/core/traffic/metadata.ts";
import { presets } from "../../../functions/core/traffic/plan.ts";
import { assertWritable, weightsAt } from "../../../functions/core/traffic/weights.ts";

describe("weights", () => {
  it("gives the target its percent and shares the rest by the baseline", () => {
    expect(weightsAt({ blue: 100, green: 0 }, "green", 10)).toEqual({ blue: 90, green: 10 });
    expect(weightsAt({ a: 1, b: 2, c: 0 }, "c", 10)).toEqual({ a: 30, b: 60, c: 10 });
    const odd = weightsAt({ a: 1, b: 1, c: 1, t: 0 }, "t", 50);
    expect(Object.values(odd).reduce((x, y) => x + y)).toBe(100);
    expect(weightsAt({ blue: 3, green: 0 }, "green", 100)).toEqual({ blue: 0, green: 100 });
  });

  it("refuses all-zero weights and weights Route53 cannot hold", () => {
    expect(() => assertWritable({ blue: 0, green: 0 })).toThrow("all-zero");
    expect(() => assertWritable({ blue: 256, green: 0 })).toThrow("0..255");
    expect(() => weightsAt({ blue: 0, green: 0 }, "green", 10)).toThrow("no traffic to shift");
  });
});

describe("presets", () => {
  it("match CodeDeploy's meaning", () => {
    expect(presets.AllAtOnce?.map((s) => s.percent)).toEqual([100]);
    expect(presets.Canary10Percent5Minutes).toEqual([
      { percent: 10, pauseSeconds: 300, manual: false },
      { percent: 100, pauseSeconds: 0, manual: false },
    ]);
    expect(presets.Linear10PercentEvery1Minute?.map((s) => s.percent)).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
  });
});

describe("the TXT metadata", () => {
  const metadata: RolloutMetadata = {
    rolloutId: "r1",
    target: 'green cluster, "eu"',
    status: "paused",
    step: 1,
    planName: "custom",
    steps: [
      { percent: 5, pauseSeconds: 60, manual: false },
      { percent: 50, pauseSeconds: 0, manual: true },
      { percent: 100, pauseSeconds: 0, manual: false },
    ],
    baseline: { "blue:1,x": 100, 'green cluster, "eu"': 0 },
    weights: { "blue:1,x": 50, 'green cluster, "eu"': 50 },
    revision: 7,
    startedAt: 1,
    updatedAt: 2,
    bakeUntil: 3,
    waits: 0,
    reason: "x".repeat(300),
  };

  it("round-trips through quoted strings of at most 255 characters, without quotes inside", () => {
    const value = encodeMetadata(metadata);
    for (const s of value.match(/"[^"]*"/g) ?? []) expect(s.length - 2).toBeLessThanOrEqual(255);
    expect(decodeMetadata(value)).toEqual({ ...metadata, reason: "x".repeat(200) });
  });

  it("does not mistake someone else's TXT record for a rollout", () => {
    expect(decodeMetadata('"v=spf1 -all"')).toBeUndefined();
    expect(decodeMetadata('"v=hm1&id=r&plan=oops"')).toBeUndefined();
  });
});

describe("the alarm gate", () => {
  const ok = { name: "a", state: "OK" as const, windowSeconds: 120 };
  it("passes, rolls back, waits or pauses", () => {
    expect(gate(["a"], [ok], "wait", 0, 3)).toEqual({ verdict: "pass" });
    expect(gate(["a"], [{ ...ok, state: "ALARM" }], "proceed", 0, 3).verdict).toBe("rollback");
    expect(gate(["a"], [{ ...ok, state: "INSUFFICIENT_DATA" }], "wait", 0, 3).verdict).toBe("wait");
    expect(gate(["a"], [{ ...ok, state: "INSUFFICIENT_DATA" }], "wait", 3, 3).verdict).toBe("rollback");
    expect(gate(["a", "gone"], [ok], "proceed", 0, 3)).toMatchObject({ verdict: "pause" });
  });

  it("bakes at least the TTL plus the longest evaluation window", () => {
    expect(bakeSeconds(60, [ok, { ...ok, windowSeconds: 300 }], 0)).toBe(360);
    expect(bakeSeconds(60, [ok], 600)).toBe(600);
  });
});

describe("backoff", () => {
  it("is jittered below an exponential cap", () => {
    const policy = { attempts: 5, baseMs: 100, capMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0.999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it("retries what is retryable, up to the attempts, and no further", async () => {
    const clock = { now: () => 0, sleep: async () => {} };
    let calls = 0;
    const throttled = Object.assign(new Error("slow down"), { name: "PriorRequestNotComplete" });
    const op = async () => {
      calls++;
      if (calls < 3) throw throttled;
      return "done";
    };
    const policy = { attempts: 5, baseMs: 1, capMs: 1 };
    expect(
      await withBackoff(op, (e) => (e as Error).name === "PriorRequestNotComplete", policy, clock, Math.random),
    ).toBe("done");
    calls = -10;
    await expect(withBackoff(op, () => true, { ...policy, attempts: 2 }, clock, Math.random)).rejects.toBe(throttled);
  });
});
