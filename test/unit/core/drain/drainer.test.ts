import { describe, expect, it } from "vitest";
import { drainNode } from "../../../../functions/core/drain/drainer.ts";
import { drainPolicySchema } from "../../../../functions/core/drain/policy.ts";
import type { Clock, ClusterPort, EvictionResult, PodInfo } from "../../../../functions/core/ports.ts";

// The drain loop's decisions against a scripted cluster and a manual clock: no wall time passes, so the
// policy's allowance and the deadline are exact. The real Eviction API is covered by the integration tests.

function pod(name: string, overrides: Partial<PodInfo> = {}): PodInfo {
  return {
    namespace: "shop",
    name,
    uid: `uid-${name}`,
    labels: { app: "shop" },
    priority: 0,
    mirror: false,
    terminating: false,
    ready: true,
    phase: "Running",
    terminationGracePeriodSeconds: 30,
    ...overrides,
  };
}

function manualClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** A node whose pods leave when evicted, except those a budget blocks until `unblockAt`. */
function scriptedCluster(pods: PodInfo[], clock: Clock, blocked: Record<string, number> = {}) {
  const onNode = new Map(pods.map((p) => [p.uid, p]));
  const evictions: string[] = [];
  const deleted: { name: string; grace: number }[] = [];
  const cluster: ClusterPort = {
    findNode: async () => undefined,
    findNodeByName: async () => undefined,
    updateNode: async () => {
      throw new Error("not used");
    },
    deleteNode: async () => {},
    listPods: async () => [...onNode.values()],
    evict: async (p): Promise<EvictionResult> => {
      evictions.push(p.name);
      const until = blocked[p.name];
      if (until !== undefined && clock.now() < until)
        return { outcome: "blocked", budgets: ["shop-pdb"], message: "needs 2 healthy pods and has 2" };
      onNode.delete(p.uid);
      return { outcome: "evicted" };
    },
    deletePod: async (p, grace) => {
      deleted.push({ name: p.name, grace });
      onNode.delete(p.uid);
    },
  };
  return { cluster, evictions, deleted };
}

const policy = (overrides: Record<string, unknown> = {}) => drainPolicySchema.parse(overrides);

describe("drainNode", () => {
  it("evicts low-priority pods before critical ones and skips DaemonSet and mirror pods", async () => {
    const clock = manualClock();
    const pods = [
      pod("critical", { priority: 2_000_001_000 }),
      pod("web"),
      pod("agent", { ownerKind: "DaemonSet" }),
      pod("static", { mirror: true }),
    ];
    const { cluster, evictions } = scriptedCluster(pods, clock);
    const outcome = await drainNode(cluster, clock, "n1", {
      deadline: clock.now() + 100_000,
      pauseAt: clock.now() + 100_000,
      policy: policy(),
    });
    expect(outcome).toMatchObject({ status: "drained", evicted: 2 });
    expect(evictions).toEqual(["web", "critical"]);
  });

  it("waits out a blocking budget and names it meanwhile", async () => {
    const clock = manualClock();
    // Blocked for longer than the time between two progress reports, so one says it is blocked no more.
    const { cluster } = scriptedCluster([pod("web")], clock, { web: clock.now() + 20_000 });
    const reports: string[][] = [];
    const outcome = await drainNode(cluster, clock, "n1", {
      deadline: clock.now() + 100_000,
      pauseAt: clock.now() + 100_000,
      policy: policy({ onBlocked: "wait" }),
      onProgress: (p) => {
        reports.push(p.blocked.map((b) => `${b.name}:${b.budgets.join()}`));
      },
    });
    expect(outcome.status).toBe("drained");
    expect(reports[0]).toEqual(["web:shop-pdb"]);
    expect(reports.at(-1)).toEqual([]);
  });

  it("gives up once a pod has been blocked longer than the allowance, counting time from earlier invocations", async () => {
    const clock = manualClock();
    const { cluster } = scriptedCluster([pod("web")], clock, { web: Number.POSITIVE_INFINITY });
    const outcome = await drainNode(cluster, clock, "n1", {
      deadline: clock.now() + 100_000,
      pauseAt: clock.now() + 100_000,
      policy: policy({ onBlocked: "give_up", blockedAllowanceMs: 30_000 }),
      // An earlier invocation saw the budget refuse 29 s ago: the allowance runs out in about a second.
      blockedSince: { "uid-web": clock.now() - 29_000 },
    });
    expect(outcome).toMatchObject({ status: "failed", reason: "gave_up" });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThan(3_000);
  });

  it("asks for no eviction past the pause, and counts a deferred one as neither evicted nor blocked", async () => {
    const clock = manualClock();
    const { cluster } = scriptedCluster([pod("web")], clock);
    const asked: (number | undefined)[] = [];
    const queued: ClusterPort = {
      ...cluster,
      // Its turn in the budget's queue comes after the pause: the adapter sends nothing.
      evict: async (_, notAfter) => {
        asked.push(notAfter);
        clock.now = () => (notAfter ?? 0) + 1;
        return { outcome: "deferred" };
      },
    };
    const outcome = await drainNode(queued, clock, "n1", {
      deadline: clock.now() + 100_000,
      pauseAt: clock.now() + 20_000,
      policy: policy({ onBlocked: "force", blockedAllowanceMs: 0 }),
    });
    expect(asked).toEqual([1_020_000]);
    expect(outcome).toMatchObject({ status: "paused", evicted: 0, forced: 0, remaining: 1, blocked: [] });
  });

  it("hands over when the invocation's time is up and reports since when each pod is blocked", async () => {
    const clock = manualClock();
    const start = clock.now();
    const { cluster } = scriptedCluster([pod("web")], clock, { web: Number.POSITIVE_INFINITY });
    const outcome = await drainNode(cluster, clock, "n1", {
      deadline: start + 100_000,
      pauseAt: start + 10_000,
      policy: policy({ onBlocked: "wait" }),
    });
    expect(outcome.status).toBe("paused");
    expect(outcome.blockedSince).toEqual({ "uid-web": start });
  });

  it("deletes a blocked pod by force near the deadline, within the time left", async () => {
    const clock = manualClock();
    const start = clock.now();
    const { cluster, deleted } = scriptedCluster([pod("web")], clock, { web: Number.POSITIVE_INFINITY });
    const outcome = await drainNode(cluster, clock, "n1", {
      deadline: start + 12_000,
      pauseAt: start + 100_000,
      policy: policy({ onBlocked: "force", blockedAllowanceMs: 60_000, forceLeadMs: 10_000 }),
    });
    expect(outcome).toMatchObject({ status: "drained", forced: 1 });
    expect(deleted).toHaveLength(1);
    expect(deleted[0]?.grace).toBeLessThanOrEqual(11);
  });
});
