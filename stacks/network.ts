// A private EKS endpoint is reachable only from inside the cluster's VPC: functions that call the
// Kubernetes API run in the configured private subnets, with a security group the cluster's security
// group admits on 443. Those subnets need a NAT gateway or VPC endpoints (sqs, sts, eks, autoscaling, ec2,
// monitoring, events) for the AWS calls (docs/deploy.md lists them).
import type { ClusterConfig } from "./config-schema.ts";
import { kubernetesFunctions } from "./settings.ts";

export function functionVpc(cluster: ClusterConfig) {
  return cluster.vpc && { privateSubnets: cluster.vpc.privateSubnets, securityGroups: cluster.vpc.securityGroups };
}

/** Applies the VPC to every Kubernetes-facing function created after this call. */
export function placeKubernetesFunctions(cluster: ClusterConfig): void {
  const vpc = functionVpc(cluster);
  if (!vpc) return;
  $transform(sst.aws.Function, (args, _opts, name) => {
    if ((kubernetesFunctions as readonly string[]).includes(name)) args.vpc = vpc;
  });
}
