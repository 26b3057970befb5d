// Builds the upgrade engine's dependencies inside the traffic function, when HARBORMASTER_UPGRADES is set.
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { ClusterTarget } from "../../config/clusters.ts";
import type { UpgradeConfig } from "../../config/upgrade-config.ts";
import type { Notification } from "../../core/notifications.ts";
import { Prescaler } from "../../core/prescaling/prescaler.ts";
import type { TrafficDeps } from "../../core/traffic/service.ts";
import type { UpgradeClusterDeps, UpgradeDeps } from "../../core/upgrade/deps.ts";
import { connectionSource } from "../eks-connection.ts";
import { KubeApi } from "../kubernetes/api.ts";
import { KubernetesPrescalingCluster } from "../prescaling/kubernetes-cluster.ts";
import { KubernetesUpgradeCluster } from "./kubernetes-upgrade-cluster.ts";
import { UpgradeScheduler } from "./scheduler.ts";

export interface UpgradeWiring {
  config: UpgradeConfig;
  traffic: TrafficDeps;
  schedulerClient: SchedulerClient;
  scheduleGroup: string;
  schedulerRoleArn: string;
  targetArn: () => string;
}

export function createUpgradeDeps(w: UpgradeWiring): UpgradeDeps {
  const { traffic, config } = w;
  const clusters = new Map(config.clusters.map((target) => [target.name, clusterDeps(target, w)]));
  return {
    upgrades: config.upgrades,
    domains: traffic.domains,
    cluster: (name) => {
      const deps = clusters.get(name);
      if (!deps) throw new Error(`cluster ${name} is not configured`);
      return deps();
    },
    records: traffic.records,
    alarms: traffic.alarms,
    scheduler: new UpgradeScheduler(w.schedulerClient, w.scheduleGroup, w.schedulerRoleArn, w.targetArn),
    notifier: traffic.notifier,
    metrics: traffic.metrics,
    clock: traffic.clock,
    log: traffic.log,
    casAttempts: traffic.casAttempts,
    pollSeconds: config.pollSeconds,
  };
}

/** One cluster's reads and holds, rebuilt when its connection is (a new EKS token). */
function clusterDeps(target: ClusterTarget, w: UpgradeWiring): () => Promise<UpgradeClusterDeps> {
  const { traffic, config } = w;
  const connections = connectionSource({
    kubeconfigPath: target.kubeconfigPath,
    clusterName: target.eksCluster,
    region: target.region,
  });
  // Pre-scaling's notices about the holds (a person's override, a restore) name the cluster they are about.
  const notifier = { publish: (n: Notification) => traffic.notifier.publish({ ...n, cluster: target.name }) };
  const namespaces = [...new Set(config.upgrades.flatMap((up) => up.namespaces))].sort();
  let deps: UpgradeClusterDeps | undefined;
  return async () => {
    const { value: connection, fresh } = await connections.get();
    if (fresh || !deps) {
      const prescaler = new Prescaler({
        cluster: new KubernetesPrescalingCluster(connection),
        notifier,
        metrics: traffic.metrics,
        clock: traffic.clock,
        log: traffic.log,
        namespaces,
      });
      deps = { cluster: new KubernetesUpgradeCluster(new KubeApi(connection)), prescaler };
    }
    return deps;
  };
}
