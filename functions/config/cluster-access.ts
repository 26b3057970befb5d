import * as z from "../core/zod.ts";

/** How a function reaches the cluster: EKS by name (DescribeCluster + STS token) or a kubeconfig file. */
export const clusterAccessShape = {
  AWS_REGION: z.string().check(z.minLength(1)),
  HARBORMASTER_CLUSTER_NAME: z.optional(z.string().check(z.minLength(1))),
  KUBECONFIG: z.optional(z.string().check(z.minLength(1))),
};

export function requireClusterAccess(env: { HARBORMASTER_CLUSTER_NAME?: string; KUBECONFIG?: string }): boolean {
  return Boolean(env.HARBORMASTER_CLUSTER_NAME || env.KUBECONFIG);
}

export const clusterAccessMessage = {
  message: "set HARBORMASTER_CLUSTER_NAME (EKS) or KUBECONFIG (a kubeconfig file)",
};
