// Where the worker's commands go, per cluster: built on first use and kept while the container is warm.

import type { SlackCluster } from "../../config/slack-config.ts";
import { drainPolicySchema } from "../../core/drain/policy.ts";
import type {
  ClusterCommands,
  CommandTargets,
  ScalingCommands,
  TrafficCommands,
  UpgradeCommands,
} from "../../core/slack/ports.ts";
import { CommandRefused } from "../../core/slack/ports.ts";
import { systemClock } from "../clock.ts";
import { type ClusterSource, connectionSource } from "../eks-connection.ts";
import type { KubeConnection } from "../kubernetes/connection.ts";
import { KubernetesCommands } from "./kubernetes-commands.ts";
import { PrescalingCommandQueue } from "./scaling-commands.ts";
import { unavailableScaling, unavailableTraffic, unavailableUpgrades } from "./unavailable-commands.ts";

export interface TargetOptions {
  region: string;
  clusters: Record<string, SlackCluster>;
  /** When the current invocation must stop working (a drain answers "still draining" then). */
  pauseAt: () => number;
  /** Each cluster's pre-scaling queue: `scale` and `headroom` go there. */
  prescalingQueues?: Record<string, string>;
  scaling?: (cluster: string) => Promise<ScalingCommands>;
  traffic?: () => Promise<TrafficCommands>;
  upgrades?: () => Promise<UpgradeCommands>;
}

/** A Slack drain gets as long as a spot warning gives: two minutes. */
const drainTimeoutMs = 120_000;

export function commandTargets(options: TargetOptions): CommandTargets {
  const sources = new Map<string, ClusterSource<KubeConnection>>();
  const built = new Map<string, KubernetesCommands>();
  return {
    async cluster(name: string): Promise<ClusterCommands> {
      const cluster = options.clusters[name];
      if (!cluster) throw new CommandRefused(`unknown cluster "${name}"`);
      let source = sources.get(name);
      if (!source) {
        source = connectionSource({
          kubeconfigPath: cluster.kubeconfig,
          clusterName: cluster.eksCluster,
          region: cluster.region ?? options.region,
        });
        sources.set(name, source);
      }
      const { value: connection, fresh } = await source.get();
      let commands = built.get(name);
      if (fresh || !commands) {
        commands = new KubernetesCommands(connection, {
          policy: drainPolicySchema.parse({}),
          clock: systemClock,
          drainTimeoutMs,
          pauseAt: options.pauseAt,
        });
        built.set(name, commands);
      }
      return commands;
    },
    scaling: options.scaling ?? scalingTargets(options.prescalingQueues ?? {}),
    traffic: options.traffic ?? (async () => unavailableTraffic),
    upgrades: options.upgrades ?? (async () => unavailableUpgrades),
  };
}

function scalingTargets(queues: Record<string, string>): (cluster: string) => Promise<ScalingCommands> {
  const built = new Map<string, ScalingCommands>();
  return async (cluster) => {
    const queueUrl = queues[cluster];
    if (!queueUrl) return unavailableScaling(cluster);
    let commands = built.get(cluster);
    if (!commands) {
      commands = new PrescalingCommandQueue(cluster, queueUrl);
      built.set(cluster, commands);
    }
    return commands;
  };
}
