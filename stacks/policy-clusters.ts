// The clusters each pre-scaling policy acts on, so each policy goes to the functions that serve them.
// Plain values, no SST globals.
import { ConfigError } from "./config-error.ts";

/**
 * Each policy's `clusters`, or the only cluster when one is configured: with several, a policy without
 * `clusters` would raise replicas in a cluster nobody chose. The function checks the same at cold start.
 */
export function policyClusters(policies: readonly unknown[], clusterNames: readonly string[]): string[][] {
  return policies.map((policy, i) => {
    const named =
      typeof policy === "object" && policy !== null ? (policy as { clusters?: unknown }).clusters : undefined;
    if (named === undefined) {
      if (clusterNames.length === 1) return [...clusterNames];
      throw new ConfigError(`scaling[${i}].clusters: required when more than one cluster is configured`);
    }
    if (!Array.isArray(named) || named.length === 0)
      throw new ConfigError(`scaling[${i}].clusters: a list of cluster names`);
    for (const name of named)
      if (typeof name !== "string" || !clusterNames.includes(name))
        throw new ConfigError(`scaling[${i}].clusters: no cluster named ${JSON.stringify(name)} in clusters`);
    return named as string[];
  });
}

/** The policies one group's function holds, each naming only that group's clusters. */
export function groupPolicies(
  policies: readonly unknown[],
  owners: readonly string[][],
  groupClusters: readonly string[],
): unknown[] {
  return policies.flatMap((policy, i) => {
    const mine = (owners[i] ?? []).filter((c) => groupClusters.includes(c));
    if (mine.length === 0) return [];
    const named = (policy as { clusters?: unknown }).clusters !== undefined;
    return [named ? { ...(policy as object), clusters: mine } : policy];
  });
}
