// The cluster each pre-scaling policy acts on, so each policy goes to the function that serves its cluster.
// Plain values, no SST globals.
import { ConfigError } from "./config-error.ts";

/**
 * Each policy's `cluster`, or the only cluster when one is configured: with several, a policy without
 * `cluster` would raise replicas in a cluster nobody chose.
 */
export function policyClusters(policies: readonly unknown[], clusterNames: readonly string[]): string[] {
  return policies.map((policy, i) => {
    const named = typeof policy === "object" && policy !== null ? (policy as { cluster?: unknown }).cluster : undefined;
    if (named === undefined) {
      const [only] = clusterNames;
      if (clusterNames.length === 1 && only !== undefined) return only;
      throw new ConfigError(`scaling[${i}].cluster: required when more than one cluster is configured`);
    }
    if (typeof named !== "string" || !clusterNames.includes(named))
      throw new ConfigError(`scaling[${i}].cluster: no cluster named ${JSON.stringify(named)} in clusters`);
    return named;
  });
}
