// One pre-scaling function serves every cluster: each trigger goes to the clusters whose policies it
// names (a command to the cluster it names, the sweep to all), side by side, so one cluster that cannot
// be reached delays no other. A failure anywhere fails the message, and the retry is idempotent.
import { type DispatchDeps, dispatch } from "./dispatch.ts";
import type { Policy } from "./policy.ts";
import type { PrescalingTrigger } from "./triggers.ts";

export interface ClusterDispatch {
  name: string;
  /** This cluster's dispatch dependencies; its `policies` are only those that name it. */
  deps(): Promise<DispatchDeps>;
  policies: readonly Policy[];
}

export class ClusterDispatchError extends Error {
  override name = "ClusterDispatchError";
}

/** The clusters a trigger concerns. */
export function clustersFor(clusters: readonly ClusterDispatch[], trigger: PrescalingTrigger): ClusterDispatch[] {
  switch (trigger.type) {
    case "alarm":
      return clusters.filter((c) => c.policies.some((p) => p.alarms.includes(trigger.alarmName)));
    case "window":
      return clusters.filter((c) => c.policies.some((p) => p.name === trigger.policy));
    case "command": {
      const named = trigger.cluster ?? (clusters.length === 1 ? clusters[0]?.name : undefined);
      return clusters.filter((c) => c.name === named);
    }
    case "sweep":
      return [...clusters];
  }
}

export async function dispatchToClusters(
  clusters: readonly ClusterDispatch[],
  trigger: PrescalingTrigger,
  log: DispatchDeps["log"],
): Promise<void> {
  const targets = clustersFor(clusters, trigger);
  if (targets.length === 0) {
    log.info("no cluster's policy or name matches this trigger; nothing to do", {
      type: trigger.type,
      id: trigger.id,
      ...(trigger.type === "command" ? { cluster: trigger.cluster } : {}),
    });
    return;
  }
  const results = await Promise.allSettled(targets.map(async (c) => dispatch(await c.deps(), trigger)));
  const failed = results.flatMap((r, i) =>
    r.status === "rejected" ? [`${targets[i]?.name}: ${String(r.reason)}`] : [],
  );
  if (failed.length > 0) throw new ClusterDispatchError(failed.join("; "));
}

/** The policies that hold one cluster's objects: those that name it, or every policy where there is one cluster. */
export function policiesOf(policies: readonly Policy[], cluster: string, clusterCount: number): Policy[] {
  return policies.filter((p) => (p.clusters ? p.clusters.includes(cluster) : clusterCount === 1));
}
