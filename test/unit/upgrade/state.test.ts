import { describe, expect, it } from "vitest";
import { upgradeScheduleName } from "../../../functions/adapters/upgrade/scheduler.ts";
import { decodeMetadata, encodeMetadata, type RolloutMetadata } from "../../../functions/core/traffic/metadata.ts";
import { renewedExpiry } from "../../../functions/core/upgrade/holds.ts";
import { busyUpgrade } from "../../../functions/core/upgrade/phases.ts";
import { nextCheckAt } from "../../../functions/core/upgrade/run.ts";

const metadata: RolloutMetadata = {
  rolloutId: "r0123456789a",
  target: "green",
  status: "running",
  step: -1,
  planName: "custom",
  steps: [{ percent: 100, pauseSeconds: 0, manual: false }],
  baseline: { blue: 100, green: 0 },
  weights: { blue: 100, green: 0 },
  revision: 3,
  startedAt: 1_000,
  updatedAt: 2_000,
  bakeUntil: 2_000,
  waits: 0,
  upgrade: "web",
  phase: "capacity-wait",
  phaseSince: 1_500,
};

describe("the upgrade's state in the rollout metadata", () => {
  it("round-trips its name, phase and wait start, and step -1 (waiting before the first step)", () => {
    expect(decodeMetadata(encodeMetadata(metadata))).toEqual(metadata);
  });

  it("leaves a plain rollout's record as it was", () => {
    const { upgrade: _u, phase: _p, phaseSince: _s, ...plain } = metadata;
    const text = encodeMetadata({ ...plain, step: 0 });
    expect(text).not.toMatch(/up=|ph=|ps=/);
    expect(decodeMetadata(text)).toEqual({ ...plain, step: 0 });
  });

  it("keeps traffic commands out while the upgrade moves traffic or restores floors", () => {
    expect(busyUpgrade(metadata)).toBe("web");
    expect(busyUpgrade({ ...metadata, status: "paused" })).toBe("web");
    expect(busyUpgrade({ ...metadata, status: "rolled_back", phase: "rollback-settling" })).toBe("web");
    expect(busyUpgrade({ ...metadata, status: "completed", phase: "releasing" })).toBe("web");
    expect(busyUpgrade({ ...metadata, status: "completed", phase: "released" })).toBeUndefined();
    expect(busyUpgrade({ ...metadata, upgrade: undefined })).toBeUndefined();
  });

  it("looks again on a grid while waiting, at the bake's end while baking, never while paused", () => {
    expect(nextCheckAt(metadata, 12_345, 10)).toBe(30_000);
    expect(nextCheckAt(metadata, 12_999, 10)).toBe(30_000); // two deliveries, one schedule
    expect(nextCheckAt({ ...metadata, phase: "baking", bakeUntil: 99_000 }, 12_345, 10)).toBe(99_000);
    expect(nextCheckAt({ ...metadata, phase: "baking", status: "paused" }, 12_345, 10)).toBeUndefined();
    expect(nextCheckAt({ ...metadata, status: "rolled_back", phase: "rollback-settling" }, 12_345, 10)).toBe(30_000);
    expect(nextCheckAt({ ...metadata, status: "completed", phase: "released" }, 12_345, 10)).toBeUndefined();
  });

  it("names each re-check's schedule by upgrade, run, revision and second, within Scheduler's 64", () => {
    const ticket = { upgrade: "a-24-character-upgrade-x", rolloutId: "r0123456789a", revision: 12345 };
    const name = upgradeScheduleName(ticket, Date.parse("2026-12-03T12:00:00.200Z"));
    expect(name).toBe(upgradeScheduleName(ticket, Date.parse("2026-12-03T12:00:00.900Z")));
    expect(name).not.toBe(upgradeScheduleName(ticket, Date.parse("2026-12-03T12:00:10Z")));
    expect(name.length).toBeLessThanOrEqual(64);
  });

  it("renews a hold's expiry only once half of it is used", () => {
    expect(renewedExpiry(undefined, 0, 3_600)).toBe(3_600);
    expect(renewedExpiry(3_600, 1_000, 4_600)).toBe(3_600);
    expect(renewedExpiry(3_600, 2_000, 5_600)).toBe(5_600);
  });
});
