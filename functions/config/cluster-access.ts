import { z } from "zod";

/** How a function reaches the cluster: EKS by name (DescribeCluster + STS token) or a kubeconfig file. */
export const clusterAccessShape = {
  AWS_REGION: z.string().min(1),
  HARBORMASTER_CLUSTER_NAME: z.string().min(1).optional(),
  KUBECONFIG: z.string().min(1).optional(),
};

export function requireClusterAccess(env: { HARBORMASTER_CLUSTER_NAME?: string; KUBECONFIG?: string }): boolean {
  return Boolean(env.HARBORMASTER_CLUSTER_NAME || env.KUBECONFIG);
}

export const clusterAccessMessage = {
  message: "set HARBORMASTER_CLUSTER_NAME (EKS) or KUBECONFIG (a kubeconfig file)",
};
