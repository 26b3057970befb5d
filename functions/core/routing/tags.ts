// Which EKS cluster an instance or an Auto Scaling group belongs to, from the tags AWS and the
// provisioners put on it: EKS managed node groups and Karpenter set `eks:cluster-name`, CloudFormation-made
// nodes `aws:eks:cluster-name`, and self-managed groups the cloud provider's `kubernetes.io/cluster/<name>`.

export interface ResourceTag {
  key: string;
  value: string;
}

const clusterTagPrefix = "kubernetes.io/cluster/";

/** The EKS cluster name the tags name, or undefined when they name none. */
export function eksClusterFromTags(tags: readonly ResourceTag[]): string | undefined {
  for (const key of ["eks:cluster-name", "aws:eks:cluster-name"]) {
    const value = tags.find((t) => t.key === key)?.value;
    if (value) return value;
  }
  const legacy = tags.find((t) => t.key.startsWith(clusterTagPrefix) && t.key.length > clusterTagPrefix.length);
  return legacy?.key.slice(clusterTagPrefix.length);
}
