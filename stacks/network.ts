// A private EKS endpoint is reachable only from inside the cluster's VPC: functions that call the
// Kubernetes API run in the configured private subnets, with a security group the cluster's security
// group admits on 443. Those subnets need a NAT gateway or VPC endpoints (sqs, sts, eks, autoscaling, ec2,
// monitoring, events) for the AWS calls (docs/deploy.md lists them). The interruption and pre-scaling
// functions of a cluster group run in the group's VPC (stacks/cluster-groups.ts); the one Slack worker runs
// where it reaches every cluster, and the traffic function, with upgrades, where it reaches theirs.
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
  return sharedVpc(Object.values(clusters), homeRegion, {
    several: (n) =>
      `slack.vpc: the clusters sit in ${n} VPC placements; give the Slack worker subnets from which every cluster's API is reachable`,
    elsewhere: (region, home) =>
      `slack.vpc: the clusters' VPC is in ${region}, the Slack worker in ${home}; give it subnets in ${home}`,
  });
}

/**
 * Where the traffic function runs when it runs upgrades: it calls the Kubernetes API of every cluster an
 * upgrade names, so in their VPC when they have one. One function sits in one VPC, in the home region: the
 * clusters of upgrades must share one placement there (blue and green usually do), or have public endpoints.
 */
export function trafficVpc(
  clusters: Readonly<Record<string, ClusterPlacement>>,
  upgraded: readonly string[],
  homeRegion?: string,
): VpcPlacement | undefined {
  const placements = upgraded.flatMap((name) => clusters[name] ?? []);
  return sharedVpc(placements, homeRegion, {
    several: (n) =>
      `upgrades: the clusters they name sit in ${n} VPC placements; the one traffic function reaches their APIs from one VPC, so give them one`,
    elsewhere: (region, home) =>
      `upgrades: the upgraded clusters' VPC is in ${region}, the traffic function in ${home}; it reaches a private endpoint only from its own region's subnets`,
  });
}

function sharedVpc(
  placements: readonly ClusterPlacement[],
  homeRegion: string | undefined,
  say: { several(count: number): string; elsewhere(region: string, home: string): string },
): VpcPlacement | undefined {
  const distinct = new Map<string, ClusterPlacement & { vpc: VpcPlacement }>();
  for (const { region, vpc } of placements) if (vpc) distinct.set(vpcDigest(vpc), { region, vpc });
  if (distinct.size > 1) throw new ConfigError(say.several(distinct.size));
  const [only] = distinct.values();
  if (only && homeRegion && only.region !== homeRegion) throw new ConfigError(say.elsewhere(only.region, homeRegion));
  return only?.vpc;
}
