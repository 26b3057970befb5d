// The environment each function receives for a config (secrets and created resources excluded). The
// interruption and pre-scaling functions are deployed once per cluster group (stacks/cluster-groups.ts), and
// each copy gets HARBORMASTER_CLUSTERS with the clusters of its group (functions/config/clusters.ts).
import { allGroups, type ClusterGroup, planRegions, type RegionPlan } from "./cluster-groups.ts";
import type { ClusterConfig, HarbormasterConfig } from "./config-schema.ts";
import { groupPolicies, policyClusters } from "./policy-clusters.ts";
import { type UpgradeRef, upgradeAlarms, upgradeClusters, upgradeRefs } from "./upgrades.ts";

export interface GroupEnvironment {
  group: ClusterGroup;
  interruption: {
    HARBORMASTER_CLUSTERS: string;
    HARBORMASTER_ACTIONS: string;
    HARBORMASTER_DRAIN_POLICY: string;
    HARBORMASTER_DRY_RUN: "true" | "false";
  };
  /** Present when pre-scaling is deployed (`scaling` not empty): every group gets it, for Slack's `scale`. */
  prescaling?: {
    HARBORMASTER_CLUSTERS: string;
    /** Only the policies of the group's clusters. */
    HARBORMASTER_PRESCALING_POLICIES: string;
    HARBORMASTER_PRESCALING_COMMAND_NAMESPACES?: string;
  };
}

export interface FeatureEnvironment {
  regions: RegionPlan[];
  groups: GroupEnvironment[];
  /** With upgrades, the traffic function runs them: it gets them and the clusters they name. */
  traffic: { HARBORMASTER_TRAFFIC_DOMAINS: string; HARBORMASTER_UPGRADES?: string; HARBORMASTER_CLUSTERS?: string };
  upgrades: {
    refs: UpgradeRef[];
    /** The clusters the upgrades name: the traffic function's EKS access, IAM and VPC follow them. */
    clusters: string[];
    /** Both sides' alarms: the traffic function's alarm rule and DescribeAlarms cover them. */
    alarms: string[];
  };
  slack?: {
    HARBORMASTER_SLACK_COMMAND: string;
    HARBORMASTER_SLACK_DEFAULT_CHANNEL: string;
    HARBORMASTER_SLACK_ACCESS: string;
    HARBORMASTER_SLACK_ROUTES: string;
    HARBORMASTER_SLACK_CLUSTERS: string;
    /** Upgrade name → its domain and clusters: what `upgrade` may address and what authorises it. */
    HARBORMASTER_SLACK_UPGRADES?: string;
  };
}

export function featureEnvironment(config: HarbormasterConfig): FeatureEnvironment {
  const regions = planRegions(config.clusters);
  const owners = policyClusters(config.scaling, Object.keys(config.clusters));
  const groups = allGroups(regions).map((group) => {
    const clusters = group.clusters.map((name) => [name, config.clusters[name] as ClusterConfig] as const);
    const policies = groupPolicies(config.scaling, owners, group.clusters);
    return {
      group,
      interruption: {
        HARBORMASTER_CLUSTERS: JSON.stringify(Object.fromEntries(clusters.map(([n, c]) => [n, drainEntry(c)]))),
        HARBORMASTER_ACTIONS: JSON.stringify(config.actions),
        HARBORMASTER_DRAIN_POLICY: JSON.stringify(config.drainPolicy),
        HARBORMASTER_DRY_RUN: config.dryRun ? "true" : "false",
      },
      ...(config.scaling.length > 0 && {
        prescaling: {
          // The drain settings mean nothing to pre-scaling, and its environment is short of room (4 KB).
          HARBORMASTER_CLUSTERS: JSON.stringify(
            Object.fromEntries(clusters.map(([n, c]) => [n, { eksCluster: c.eksCluster, region: c.region }])),
          ),
          HARBORMASTER_PRESCALING_POLICIES: JSON.stringify(policies),
          ...(config.scalingCommandNamespaces && {
            HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: config.scalingCommandNamespaces.join(","),
          }),
        },
      }),
    } satisfies GroupEnvironment;
  });
  const refs = upgradeRefs(config.upgrades, Object.keys(config.clusters), config.rollouts);
  const upgraded = upgradeClusters(refs);
  return {
    regions,
    groups,
    traffic: {
      HARBORMASTER_TRAFFIC_DOMAINS: JSON.stringify(config.rollouts),
      ...(refs.length > 0 && {
        HARBORMASTER_UPGRADES: JSON.stringify(config.upgrades),
        // Only what reaching a cluster takes, as pre-scaling gets it: the traffic function drains nothing.
        HARBORMASTER_CLUSTERS: JSON.stringify(
          Object.fromEntries(
            upgraded.map((n) => {
              const c = config.clusters[n] as ClusterConfig;
              return [n, { eksCluster: c.eksCluster, region: c.region }];
            }),
          ),
        ),
      }),
    },
    upgrades: { refs, clusters: upgraded, alarms: upgradeAlarms(refs) },
    slack: config.slack && {
      HARBORMASTER_SLACK_COMMAND: config.slack.slashCommand,
      HARBORMASTER_SLACK_DEFAULT_CHANNEL: config.slack.defaultChannel,
      HARBORMASTER_SLACK_ACCESS: JSON.stringify(config.slack.access),
      HARBORMASTER_SLACK_ROUTES: JSON.stringify(config.slack.routes),
      HARBORMASTER_SLACK_CLUSTERS: JSON.stringify(
        Object.fromEntries(
          Object.entries(config.clusters).map(([n, c]) => [
            n,
            { eksCluster: c.eksCluster, region: c.region, channels: c.channels },
          ]),
        ),
      ),
      ...(refs.length > 0 && {
        HARBORMASTER_SLACK_UPGRADES: JSON.stringify(
          Object.fromEntries(
            refs.map((u) => [u.name, { domain: u.domain, blue: u.blue.cluster, green: u.green.cluster }]),
          ),
        ),
      }),
    },
  };
}

/** A cluster as the interruption function reads it; overrides only when set, merged there over the deployment's. */
function drainEntry(c: ClusterConfig) {
  return {
    eksCluster: c.eksCluster,
    region: c.region,
    autoScalingGroups: c.autoScalingGroups,
    ...(c.actions && { actions: c.actions }),
    ...(c.drainPolicy && { drainPolicy: c.drainPolicy }),
  };
}

/** What Lambda counts against its 4 KB environment limit: names and values, in bytes. */
export function environmentBytes(env: Readonly<Record<string, string | undefined>>): number {
  return Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v ?? ""), 0);
}
