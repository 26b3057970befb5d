// Which functions serve which clusters. EventBridge rules are regional, and a function reaches a private EKS
// endpoint only from inside that cluster's VPC. So clusters are grouped by region and VPC placement: each
// group gets its own interruption queue, DLQ and function (and pre-scaling function), serving all its
// clusters, and each region gets one rule set with one target per group in it (docs/deploy.md, "Several
// clusters"). Plain values, no SST globals, so the tests read exactly what is deployed.
import { createHash } from "node:crypto";
import { pascal } from "./naming.ts";

export interface VpcPlacement {
  privateSubnets: string[];
  securityGroups: string[];
}

export interface ClusterPlacement {
  region: string;
  vpc?: VpcPlacement;
}

export interface ClusterGroup {
  /** Stable whatever else is configured: the region, and a digest of the VPC placement when there is one. */
  key: string;
  /**
   * The suffix of the group's logical and AWS names. Empty when the deployment has a single group, so a
   * deployment of one cluster, or of several in one region and VPC, keeps the names of earlier releases.
   */
  id: string;
  region: string;
  vpc?: VpcPlacement;
  /** Harbormaster cluster names, in config order. */
  clusters: string[];
}

export interface RegionPlan {
  region: string;
  /** The suffix of the region's rule names: empty when the deployment spans a single region. */
  id: string;
  groups: ClusterGroup[];
}

/** EventBridge takes five targets per rule, and each group of a region is one target of its rules. */
export const maxGroupsPerRegion = 5;

/**
 * Clusters share functions when they share a region and the same VPC placement (the same subnets and
 * security groups, in any order). Clusters without `vpc` have public endpoints and share functions
 * outside any VPC.
 */
export function placementKey(placement: ClusterPlacement): string {
  return placement.vpc ? `${placement.region}-vpc-${vpcDigest(placement.vpc)}` : placement.region;
}

/** The same for the same subnets and security groups, in whatever order they are listed. */
export function vpcDigest(vpc: VpcPlacement): string {
  const canonical = JSON.stringify([[...vpc.privateSubnets].sort(), [...vpc.securityGroups].sort()]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 8);
}

/** The regions that have clusters, each with its groups, sorted by region and key so names never shuffle. */
export function planRegions(clusters: Readonly<Record<string, ClusterPlacement>>): RegionPlan[] {
  const byKey = new Map<string, ClusterGroup>();
  for (const [name, cluster] of Object.entries(clusters)) {
    const key = placementKey(cluster);
    const group = byKey.get(key) ?? {
      key,
      id: "",
      region: cluster.region,
      ...(cluster.vpc && { vpc: cluster.vpc }),
      clusters: [],
    };
    group.clusters.push(name);
    byKey.set(key, group);
  }
  const single = byKey.size === 1;
  const groups = [...byKey.values()]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((g) => ({ ...g, id: single ? "" : pascal(g.key) }));
  const regions = [...new Set(groups.map((g) => g.region))];
  return regions.map((region) => ({
    region,
    id: regions.length === 1 ? "" : pascal(region),
    groups: groups.filter((g) => g.region === region),
  }));
}

/** Every group of every region, in plan order. */
export function allGroups(plan: readonly RegionPlan[]): ClusterGroup[] {
  return plan.flatMap((r) => r.groups);
}

/** The AWS-name parts for a group's resources: none for a single group, else its key. */
export function groupNameParts(group: Pick<ClusterGroup, "id" | "key">): string[] {
  return group.id ? [group.key] : [];
}
