// A client-node KubeConfig for the pre-scaling and Slack adapters, which still use client-node's API
// classes. The interruption function uses eks-connection.ts directly and so bundles none of client-node.
import { KubeConfig } from "@kubernetes/client-node";
import { type ClusterLocation, clusterSource } from "./eks-connection.ts";

export { type EksTokenOptions, eksToken } from "./eks-connection.ts";

export interface KubeConfigSource {
  get(): Promise<{ kubeConfig: KubeConfig; fresh: boolean }>;
}

/** Locally (and in tests) a kubeconfig file; in Lambda, EKS DescribeCluster plus a minted token. */
export function kubeConfigSource(env: ClusterLocation): KubeConfigSource {
  const source = clusterSource(env, {
    file(path) {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(path);
      return kubeConfig;
    },
    eks(endpoint, caData, token) {
      const kubeConfig = new KubeConfig();
      const name = env.clusterName ?? "";
      kubeConfig.loadFromOptions({
        clusters: [{ name, server: endpoint, caData }],
        users: [{ name: "harbormaster", token }],
        contexts: [{ name, cluster: name, user: "harbormaster" }],
        currentContext: name,
      });
      return kubeConfig;
    },
  });
  return {
    async get() {
      const { value, fresh } = await source.get();
      return { kubeConfig: value, fresh };
    },
  };
}
