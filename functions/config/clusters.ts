// The clusters a function serves, parsed once at cold start. One deployment serves every cluster of an
// account and region: a cluster is a value handed inward, never "the first one in config".
import { type ActionTable, actionTable } from "../core/drain/actions.ts";
import { type DrainPolicy, drainPolicySchema } from "../core/drain/policy.ts";
import * as z from "../core/zod.ts";

/** A Harbormaster cluster name: what Slack, metrics and notifications call it. */
export const clusterNamePattern = /^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/;

const clusterEntry = z.strictObject({
  /** The EKS cluster's name in AWS: DescribeCluster, the token, and the instance and ASG tags carry it. */
  eksCluster: z.string().check(z.minLength(1)),
  region: z.optional(z.string().check(z.minLength(1))),
  /** A kubeconfig file instead of DescribeCluster + token (locally and in tests). */
  kubeconfig: z.optional(z.string().check(z.minLength(1))),
  /** ASGs whose lifecycle events belong to this cluster without a tag lookup. */
  autoScalingGroups: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Overrides of the deployment's action table and drain policy for this cluster only. */
  actions: z.optional(z.record(z.string(), z.unknown())),
  drainPolicy: z.optional(z.record(z.string(), z.unknown())),
});
export type ClusterEntry = z.infer<typeof clusterEntry>;

export const clustersSchema = z
  .record(z.string().check(z.regex(clusterNamePattern, "letters, digits, - and _ only")), clusterEntry)
  .check(z.refine((c) => Object.keys(c).length > 0, "at least one cluster"));

/** One cluster as the functions see it: where it is, how to reach it, and its own drain settings. */
export interface ClusterTarget {
  name: string;
  eksCluster: string;
  region: string;
  kubeconfigPath?: string;
  autoScalingGroups: string[];
  actions: ActionTable;
  policy: DrainPolicy;
}

export interface ClusterDefaults {
  region: string;
  actions: Record<string, unknown>;
  drainPolicy: Record<string, unknown>;
}

/**
 * Every cluster in HARBORMASTER_CLUSTERS (JSON: name → entry). Without it, the single cluster that
 * HARBORMASTER_CLUSTER_NAME or KUBECONFIG names, as a function of one cluster was configured before.
 * Per-cluster actions and policies are merged over the deployment's and validated here, naming the cluster.
 */
export function parseClusters(
  env: { HARBORMASTER_CLUSTERS?: string; HARBORMASTER_CLUSTER_NAME?: string; KUBECONFIG?: string },
  defaults: ClusterDefaults,
): ClusterTarget[] {
  const entries = env.HARBORMASTER_CLUSTERS ? parseJson(env.HARBORMASTER_CLUSTERS) : single(env);
  const parsed = clustersSchema.safeParse(entries);
  if (!parsed.success) throw new ClusterConfigError(`HARBORMASTER_CLUSTERS: ${z.prettifyError(parsed.error)}`);
  return Object.entries(parsed.data).map(([name, entry]) => {
    const at = (field: string, build: () => unknown) => {
      try {
        return build();
      } catch (error) {
        const detail = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
        throw new ClusterConfigError(`HARBORMASTER_CLUSTERS.${name}.${field}: ${detail}`);
      }
    };
    return {
      name,
      eksCluster: entry.eksCluster,
      region: entry.region ?? defaults.region,
      kubeconfigPath: entry.kubeconfig,
      autoScalingGroups: entry.autoScalingGroups,
      actions: at("actions", () => actionTable({ ...defaults.actions, ...entry.actions })) as ActionTable,
      policy: at("drainPolicy", () =>
        drainPolicySchema.parse({ ...defaults.drainPolicy, ...entry.drainPolicy }),
      ) as DrainPolicy,
    };
  });
}

export class ClusterConfigError extends Error {
  override name = "ClusterConfigError";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ClusterConfigError("HARBORMASTER_CLUSTERS is not valid JSON");
  }
}

function single(env: { HARBORMASTER_CLUSTER_NAME?: string; KUBECONFIG?: string }): unknown {
  if (!env.HARBORMASTER_CLUSTER_NAME && !env.KUBECONFIG)
    throw new ClusterConfigError(
      "set HARBORMASTER_CLUSTERS, or HARBORMASTER_CLUSTER_NAME (EKS) or KUBECONFIG (a kubeconfig file)",
    );
  const name = env.HARBORMASTER_CLUSTER_NAME ?? "local";
  return { [name]: { eksCluster: name, ...(env.KUBECONFIG ? { kubeconfig: env.KUBECONFIG } : {}) } };
}
