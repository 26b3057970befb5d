// The stacks that serve clusters, one set per cluster group (stacks/cluster-groups.ts): the interruption
// queue, DLQ and function, the pre-scaling function, each region's rule set feeding its groups' queues, and
// every cluster's EKS access entries for the roles that reach it (the traffic function's in upgraded clusters).
import type { ClusterConfig, HarbormasterConfig } from "./config-schema.ts";
import { eksAccess } from "./eks-access.ts";
import type { FeatureEnvironment } from "./feature-environment.ts";
import { interruptionRules } from "./interruption-rules.ts";
import { interruptions } from "./interruptions.ts";
import type { NotificationQueue } from "./notifications.ts";
import { type PrescalingQueues, prescaling } from "./prescaling.ts";
import type { RegionOptions } from "./regions.ts";

export interface ClusterStacksArgs {
  config: HarbormasterConfig;
  env: FeatureEnvironment;
  regionOptions: (region: string) => RegionOptions;
  /** By group key: made before the Slack stack, which sends to them. */
  scalingQueues: ReadonlyMap<string, PrescalingQueues>;
  notifications?: NotificationQueue;
  /** The Slack worker addresses every cluster, so it gets an access entry in each. */
  slackWorkerRole?: $util.Input<string>;
  /** The traffic function runs upgrades: an access entry in each cluster an upgrade names (env.upgrades). */
  trafficRole?: $util.Input<string>;
}

export function clusterStacks(args: ClusterStacksArgs) {
  const clusterOf = (name: string) => args.config.clusters[name] as ClusterConfig;
  const groups = args.env.groups.map(({ group, interruption, prescaling: scaling }) => {
    const opts = args.regionOptions(group.region);
    const clusters = group.clusters.map(clusterOf);
    const queues = args.scalingQueues.get(group.key);
    return {
      group,
      interruption: interruptions({
        group,
        clusters,
        environment: interruption,
        notifications: args.notifications,
        opts,
      }),
      prescaler:
        scaling && queues
          ? prescaling({ group, clusters, environment: scaling, notifications: args.notifications, queues, opts })
          : undefined,
    };
  });

  for (const region of args.env.regions) {
    const queues = groups
      .filter((g) => g.group.region === region.region)
      .map((g) => ({ id: g.group.id, queue: g.interruption.queue }));
    interruptionRules(region, queues, args.regionOptions(region.region));
  }

  const sole = Object.keys(args.config.clusters).length === 1;
  for (const { group, interruption, prescaler } of groups) {
    for (const name of group.clusters) {
      const cluster = clusterOf(name);
      if (!cluster.manageAccess) continue;
      const roles = {
        Interruption: interruption.handler.nodes.role.arn,
        Drain: interruption.drainer.nodes.role.arn,
        ...(prescaler ? { Prescaling: prescaler.handler.nodes.role.arn } : {}),
        ...(args.slackWorkerRole ? { SlackWorker: args.slackWorkerRole } : {}),
        ...(args.trafficRole && args.env.upgrades.clusters.includes(name) ? { Traffic: args.trafficRole } : {}),
      };
      eksAccess({ name, eksCluster: cluster.eksCluster, roles, opts: args.regionOptions(cluster.region) }, sole);
    }
  }
  return groups;
}
