import type { PodInfo } from "../ports.ts";

/** system-cluster-critical and system-node-critical start at two billion. */
export const criticalPriority = 2_000_000_000;

/**
 * The pods a drain evicts, as kubectl drain filters them: DaemonSet pods would only come back and mirror
 * pods belong to the kubelet, so both stay.
 */
export function drainable(pods: readonly PodInfo[]): PodInfo[] {
  return pods.filter((pod) => pod.ownerKind !== "DaemonSet" && !pod.mirror);
}

/** Pods still to evict in the lowest priority tier: non-critical pods leave before critical ones. */
export function nextTier(pods: readonly PodInfo[]): { tier: number; pods: PodInfo[] } | undefined {
  const live = pods.filter((pod) => !pod.terminating);
  if (live.length === 0) return undefined;
  const lowest = Math.min(...pods.map(tierOf));
  const tierPods = live.filter((pod) => tierOf(pod) === lowest);
  return { tier: lowest, pods: tierPods };
}

// Tiers group by priority so that pods of equal priority are evicted together, in parallel.
function tierOf(pod: PodInfo): number {
  return pod.priority >= criticalPriority ? Number.MAX_SAFE_INTEGER : pod.priority;
}

/** Exponential backoff with equal jitter (half fixed, half random), so many blocked evictions do not retry in lockstep. */
export function backoffMs(attempt: number, random: number, baseMs = 200, capMs = 2_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
