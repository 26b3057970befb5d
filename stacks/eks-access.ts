// Maps the functions' IAM roles into the cluster: an EKS access entry per role puts it in the Kubernetes
// group that k8s/base/platform/control-plane-rbac.yaml binds (that RBAC grants the writes), and a policy
// association gives read-only visibility through an AWS-managed access policy. The cluster must use the
// API (or API_AND_CONFIG_MAP) authentication mode (docs/deploy.md).
import { accessPolicyArn, controlPlaneGroup } from "./settings.ts";

export function eksAccess(eksCluster: string, roles: Record<string, $util.Input<string>>) {
  return Object.entries(roles).map(([name, principalArn]) => {
    const entry = new aws.eks.AccessEntry(`${name}AccessEntry`, {
      clusterName: eksCluster,
      principalArn,
      type: "STANDARD",
      kubernetesGroups: [controlPlaneGroup],
    });
    new aws.eks.AccessPolicyAssociation(
      `${name}AccessPolicy`,
      { clusterName: eksCluster, principalArn, policyArn: accessPolicyArn, accessScope: { type: "cluster" } },
      { dependsOn: [entry] },
    );
    return entry;
  });
}
