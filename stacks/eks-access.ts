// Maps the functions' IAM roles into each cluster: an EKS access entry per role puts it in the Kubernetes
// group that k8s/base/platform/control-plane-rbac.yaml binds (that RBAC grants the writes), and a policy
// association gives read-only visibility through an AWS-managed access policy. The cluster must use the
// API (or API_AND_CONFIG_MAP) authentication mode (docs/deploy.md).
import type { RegionOptions } from "./regions.ts";
import { accessPolicyArn, controlPlaneGroup } from "./settings.ts";

export interface ClusterAccess {
  /** The Harbormaster name: it prefixes the logical names once there is more than one cluster. */
  name: string;
  eksCluster: string;
  /** Role name (`Interruption`, `Prescaling`, `SlackWorker`) → its ARN. */
  roles: Record<string, $util.Input<string>>;
  /** The cluster's region (stacks/regions.ts): access entries live with the cluster. */
  opts: RegionOptions;
}

/** `prefix`: false keeps the names a deployment of one cluster has always had (`InterruptionAccessEntry`). */
export function eksAccess(cluster: ClusterAccess, prefix: boolean) {
  const at = prefix ? `${cluster.name}-` : "";
  return Object.entries(cluster.roles).map(([role, principalArn]) => {
    const entry = new aws.eks.AccessEntry(
      `${at}${role}AccessEntry`,
      { clusterName: cluster.eksCluster, principalArn, type: "STANDARD", kubernetesGroups: [controlPlaneGroup] },
      cluster.opts,
    );
    new aws.eks.AccessPolicyAssociation(
      `${at}${role}AccessPolicy`,
      {
        clusterName: cluster.eksCluster,
        principalArn,
        policyArn: accessPolicyArn,
        accessScope: { type: "cluster" },
      },
      { ...cluster.opts, dependsOn: [entry] },
    );
    return entry;
  });
}
