// A private EKS endpoint is reachable only from inside the cluster's VPC: functions that call the
// Kubernetes API run in the configured private subnets, with a security group the cluster's security
// group admits on 443. Those subnets need a NAT gateway or VPC endpoints (sqs, sts, eks, autoscaling, ec2,
// monitoring, events) for the AWS calls (docs/deploy.md lists them). The interruption and pre-scaling
// functions of a cluster group run in the group's VPC (stacks/cluster-groups.ts); the one Slack worker runs
// where it reaches every cluster.
import { type ClusterPlacement, type VpcPlacement, vpcDigest } from "./cluster-groups.ts";
import { ConfigError } from "./config-error.ts";

/** SST's `vpc` prop for a function, or none for clusters with public endpoints. */
export function functionVpc(vpc: VpcPlacement | undefined) {
  return vpc && { privateSubnets: vpc.privateSubnets, securityGroups: vpc.securityGroups };
}

/**
 * Where the Slack worker runs: `slack.vpc` when set; else the VPC of the clusters that have one, when they
 * all share it; else outside any VPC (public endpoints). Clusters in several VPCs need `slack.vpc`: one
 * function sits in one VPC. The worker is created in the app's home region, so a VPC taken from the
 * clusters must be there (`homeRegion`; unknown while the config is only validated).
 */
export function slackWorkerVpc(
  clusters: Readonly<Record<string, ClusterPlacement>>,
  slackVpc: VpcPlacement | undefined,
  homeRegion?: string,
): VpcPlacement | undefined {
  if (slackVpc) return slackVpc;
  const placements = new Map<string, ClusterPlacement & { vpc: VpcPlacement }>();
  for (const { region, vpc } of Object.values(clusters)) if (vpc) placements.set(vpcDigest(vpc), { region, vpc });
  if (placements.size > 1)
    throw new ConfigError(
      `slack.vpc: the clusters sit in ${placements.size} VPC placements; give the Slack worker subnets from which every cluster's API is reachable`,
    );
  const [only] = placements.values();
  if (only && homeRegion && only.region !== homeRegion)
    throw new ConfigError(
      `slack.vpc: the clusters' VPC is in ${only.region}, the Slack worker in ${homeRegion}; give it subnets in ${homeRegion}`,
    );
  return only?.vpc;
}
