import { mapLimit } from "../concurrency.ts";
import type { BlockedPod } from "../notifications.ts";
import type { Clock, ClusterPort, EvictionResult, PodInfo } from "../ports.ts";
import { renewEveryMs } from "./ownership.ts";
import { backoffMs, drainable, nextTier } from "./plan.ts";
import { type DrainPolicy, decideBlocked } from "./policy.ts";

export interface DrainProgress {
  evicted: number;
  forced: number;
  remaining: number;
  blocked: BlockedPod[];
  /** Since when (epoch ms) each still-blocked pod, by UID, has been refused: saved, so a requeued drain keeps counting. */
  blockedSince: Record<string, number>;
}

export type DrainOutcome =
  | ({ status: "drained" } & DrainProgress)
  /** The invocation's time ran out first; the drain goes on in the next one. */
  | ({ status: "paused" } & DrainProgress)
  | ({ status: "failed"; reason: "deadline" | "gave_up" | "dry_run_blocked" } & DrainProgress);

export interface DrainOptions {
  deadline: number;
  /** When this invocation must hand over (Lambda's remaining time minus a margin). */
  pauseAt: number;
  /** Aborted when this drain must stop and hand over, as at `pauseAt` (its owner lost the claim). */
  signal?: AbortSignal;
  policy: DrainPolicy;
  /** Carried over from an earlier invocation of the same drain (see DrainProgress.blockedSince). */
  blockedSince?: Readonly<Record<string, number>>;
  /** Server-side dry run: one pass of evictions the apiserver validates but does not apply. */
  dryRun?: boolean;
  random?: () => number;
  onProgress?: (progress: DrainProgress) => Promise<void> | void;
}

// How often a drain looks at its node again while evicted pods terminate. Every drain lists its node's
// pods this often, so during an AZ loss (a hundred drains at once) this is the apiserver's main load.
const pollMs = 500;
// A refused eviction is tried again soon: a budget's slot comes back when a replacement is Ready, and the
// drain that asks first takes it. Waiting costs no requests (the budget view answers from its last read,
// see the cluster adapter); at 300 lost nodes, a 2 s cap left freed slots unused for seconds.
const blockedBaseMs = 100;
const blockedCapMs = 500;
/** An accepted eviction whose pod is still not terminating after this long is sent again. */
const resendMs = 5_000;
// Each save renews the drain's lease (ownership.ts), so saves come a little more often than renewals would:
// a drain that moves pods writes its node about once per renewal period and no separate renewal besides.
// Every node write goes to every node watcher (kubelet, controllers, scheduler): during an AZ loss these
// were half of the handler's requests.
const reportEveryMs = renewEveryMs - 1_000;

/** Evicts every drainable pod from a node, tier by tier, until it is empty, the deadline passes or time runs out. */
export async function drainNode(
  cluster: ClusterPort,
  clock: Clock,
  nodeName: string,
  options: DrainOptions,
): Promise<DrainOutcome> {
  const random = options.random ?? Math.random;
  const blockedSince = new Map<string, number>(Object.entries(options.blockedSince ?? {}));
  const blocked = new Map<string, BlockedPod>();
  let evicted = 0;
  let forced = 0;
  let attempt = 0;
  let lastReported = "";
  let lastReportedAt = 0;
  // Evictions already accepted, by UID: the pod list may lag behind them by a moment, and evicting a
  // terminating pod again would succeed again and be counted twice.
  const accepted = new Map<string, number>();

  const progress = (remaining: number): DrainProgress => ({
    evicted,
    forced,
    remaining,
    blocked: [...blocked.values()],
    blockedSince: Object.fromEntries([...blockedSince].filter(([uid]) => blocked.has(uid))),
  });

  let remaining = 0;
  const unreachable = async (): Promise<DrainOutcome | undefined> => {
    // The apiserver is unreachable (restarting, throttling): keep trying until the deadline or the pause.
    const stop = stopReason(clock.now(), options);
    if (stop) return { ...stop, ...progress(remaining) };
    attempt++;
    await clock.sleep(backoffMs(attempt, random()));
    return undefined;
  };
  for (;;) {
    let pods: PodInfo[];
    try {
      pods = drainable(await cluster.listPods(nodeName));
    } catch {
      const stop = await unreachable();
      if (stop) return stop;
      continue;
    }
    remaining = pods.length;
    if (pods.length === 0) return { status: "drained", ...progress(0) };
    const now = clock.now();
    const stop = stopReason(now, options);
    if (stop) return { ...stop, ...progress(remaining) };

    let results: { pod: PodInfo; result: EvictionResult }[];
    try {
      const fresh = (nextTier(pods)?.pods ?? []).filter((pod) => now - (accepted.get(pod.uid) ?? -Infinity) > resendMs);
      results = await mapLimit(fresh, options.policy.evictionConcurrency, async (pod) => ({
        pod,
        // Not sent if its turn in the budget's queue comes after the pause: the next invocation goes on.
        result: await cluster.evict(pod, Math.min(options.pauseAt, options.deadline), options.signal),
      }));
    } catch {
      const stopped = await unreachable();
      if (stopped) return stopped;
      continue;
    }

    let anyBlocked = false;
    for (const { pod, result } of results) {
      if (result.outcome === "deferred") continue;
      if (result.outcome === "evicted" || result.outcome === "gone") {
        if (result.outcome === "evicted" && !accepted.has(pod.uid)) evicted++;
        accepted.set(pod.uid, now);
        blocked.delete(pod.uid);
        blockedSince.delete(pod.uid);
        continue;
      }
      anyBlocked = true;
      const since = blockedSince.get(pod.uid) ?? now;
      blockedSince.set(pod.uid, since);
      blocked.set(pod.uid, blockedPod(pod, result));
      const decision = decideBlocked(options.policy, since, now, options.deadline);
      if (decision === "give_up") return { status: "failed", reason: "gave_up", ...progress(pods.length) };
      if (decision === "deadline") return { status: "failed", reason: "deadline", ...progress(pods.length) };
      if (decision === "force") {
        // A failed delete is retried next round, like an unreachable apiserver.
        const deleted = await cluster.deletePod(pod, forceGrace(pod, options.deadline - now)).then(
          () => true,
          () => false,
        );
        if (deleted) {
          forced++;
          blocked.delete(pod.uid);
        }
      }
    }

    // A dry run is one pass: the apiserver judged every eviction; report it and stop.
    if (options.dryRun) {
      await Promise.resolve(options.onProgress?.(progress(pods.length))).catch(() => {});
      return blocked.size
        ? { status: "failed", reason: "dry_run_blocked", ...progress(pods.length) }
        : { status: "drained", ...progress(pods.length) };
    }

    const snapshot = progress(pods.length);
    const key = `${snapshot.evicted}/${snapshot.forced}/${[...blocked.keys()].join(",")}`;
    // Each report patches the node, a large object every controller watches: at most one per few seconds.
    if (key !== lastReported && (lastReported === "" || now - lastReportedAt >= reportEveryMs)) {
      lastReported = key;
      lastReportedAt = now;
      // Progress is advisory (annotation, notification); failing to record it must not stop the drain.
      await Promise.resolve(options.onProgress?.(snapshot)).catch(() => {});
    }
    // Back off only while nothing moves: an eviction that succeeded means the budgets are recovering.
    const progressed = results.some(({ result }) => result.outcome === "evicted" || result.outcome === "gone");
    attempt = anyBlocked && !progressed ? attempt + 1 : 0;
    await clock.sleep(anyBlocked ? backoffMs(attempt, random(), blockedBaseMs, blockedCapMs) : pollMs);
  }
}

function stopReason(now: number, options: DrainOptions) {
  if (now >= options.deadline) return { status: "failed", reason: "deadline" } as const;
  if (now >= options.pauseAt || options.signal?.aborted) return { status: "paused" } as const;
  return undefined;
}

function blockedPod(pod: PodInfo, result: EvictionResult): BlockedPod {
  const budgets = result.outcome === "blocked" ? result.budgets : [];
  const message = result.outcome === "blocked" || result.outcome === "failed" ? result.message : "";
  return { namespace: pod.namespace, name: pod.name, budgets, message };
}

// A forced delete still grants the pod its grace period, as far as the deadline allows.
function forceGrace(pod: PodInfo, msLeft: number): number {
  return Math.max(0, Math.min(pod.terminationGracePeriodSeconds, Math.floor(msLeft / 1000) - 1));
}
