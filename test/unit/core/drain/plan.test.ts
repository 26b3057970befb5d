import { describe, expect, it } from "vitest";
import { backoffMs, criticalPriority, drainable, nextTier } from "../../../../functions/core/drain/plan.ts";
import { podInfo } from "../../../fixtures/messages.ts";

describe("drainable", () => {
  it("skips DaemonSet and mirror pods, as kubectl drain does", () => {
    const pods = [
      podInfo("web"),
      podInfo("agent", { ownerKind: "DaemonSet" }),
      podInfo("static", { mirror: true }),
      podInfo("bare", { ownerKind: undefined }),
    ];
    expect(drainable(pods).map((p) => p.name)).toEqual(["web", "bare"]);
  });
});

describe("nextTier", () => {
  it("evicts the lowest priority first and critical pods last", () => {
    const pods = [
      podInfo("dns", { priority: criticalPriority }),
      podInfo("web", { priority: 100 }),
      podInfo("batch", { priority: -10 }),
      podInfo("batch2", { priority: -10 }),
    ];
    expect(nextTier(pods)?.pods.map((p) => p.name)).toEqual(["batch", "batch2"]);
    expect(nextTier(pods.slice(0, 2))?.pods.map((p) => p.name)).toEqual(["web"]);
    expect(nextTier(pods.slice(0, 1))?.pods.map((p) => p.name)).toEqual(["dns"]);
  });

  it("waits while a lower tier is still terminating", () => {
    const pods = [podInfo("web", { priority: 100 }), podInfo("batch", { priority: -10, terminating: true })];
    expect(nextTier(pods)?.pods).toEqual([]);
  });

  it("has nothing left when every pod is terminating", () => {
    expect(nextTier([podInfo("web", { terminating: true })])).toBeUndefined();
  });
});

describe("backoffMs", () => {
  it("doubles up to the cap, with jitter between half and all of it", () => {
    expect(backoffMs(0, 0)).toBe(100);
    expect(backoffMs(0, 1)).toBe(200);
    expect(backoffMs(3, 0)).toBe(800);
    expect(backoffMs(30, 1)).toBe(2_000);
    expect(backoffMs(30, 0)).toBe(1_000);
  });
});
