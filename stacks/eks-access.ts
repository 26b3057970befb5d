// Maps the functions' IAM roles into each cluster: an EKS access entry per role puts it in the Kubernetes
// group that k8s/base/platform/control-plane-rbac.yaml binds (that RBAC grants the writes), and a policy
// association gives read-only visibility through an AWS-managed access policy. The cluster must use the
// API (or API_AND_CONFIG_MAP) authentication mode (docs/deploy.md).
import type { RegionOptions } from "./regions.ts";
import { accessPolicyArn, controlPlaneGroup } from "./settings.ts";

export interface ClusterAccess {
  /** The Harbormaster name: it prefixes the logical names, so each cluster's entries have their own. */
  name: string;
  eksCluster: string;
  /** Role name (`Interruption`, `Prescaling`, `SlackWorker`) → its ARN. */
  roles: Record<string, $util.Input<string>>;
  /** The cluster's region (stacks/regions.ts): access entries live with the cluster. */
  opts: RegionOptions;
}

/**
 * `sole`: the deployment has this one cluster. Its entries then alias the names of releases before several
 * clusters (`InterruptionAccessEntry`), so upgrading renames them in place: an entry is unique per cluster and
 * principal, and a new one created beside the old would be refused.
 */
export function eksAccess(cluster: ClusterAccess, sole: boolean) {
  return Object.entries(cluster.roles).map(([role, principalArn]) => {
    const alias = (name: string) => (sole ? { aliases: [{ name }] } : {});
    const entry = new aws.eks.AccessEntry(
      `${cluster.name}-${role}AccessEntry`,
      { clusterName: cluster.eksCluster, principalArn, type: "STANDARD", kubernetesGroups: [controlPlaneGroup] },
      { ...cluster.opts, ...alias(`${role}AccessEntry`) },
    );
    new aws.eks.AccessPolicyAssociation(
      `${cluster.name}-${role}AccessPolicy`,
      {
        clusterName: cluster.eksCluster,
        principalArn,
        policyArn: accessPolicyArn,
        accessScope: { type: "cluster" },
      },
      { ...cluster.opts, ...alias(`${role}AccessPolicy`), dependsOn: [entry] },
    );
    return entry;
  });
}
