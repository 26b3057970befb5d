import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { ClusterTarget } from "../../config/clusters.ts";
import { loadPrescalingConfig } from "../../config/prescaling-config.ts";
import type { Notification } from "../../core/notifications.ts";
import type { Clock, NotifierPort } from "../../core/ports.ts";
import { type BatchDeps, processPrescalingBatch } from "../../core/prescaling/batch.ts";
import { dispatchToClusters, policiesOf } from "../../core/prescaling/clusters.ts";
import { CommandScaler, commandHeadroom } from "../../core/prescaling/command-scaler.ts";
import type { DispatchDeps } from "../../core/prescaling/dispatch.ts";
import type { Policy } from "../../core/prescaling/policy.ts";
import { Prescaler, policyNamespaces } from "../../core/prescaling/prescaler.ts";
import { systemClock } from "../clock.ts";
import { connectionSource } from "../eks-connection.ts";
import { EmfMetrics } from "../emf-metrics.ts";
import { LogNotifier } from "../log-notifier.ts";
import { createSlackNotifier } from "../slack/queued-notifier.ts";
import { CloudWatchAlarms } from "./cloudwatch-alarms.ts";
import { KubernetesPrescalingCluster } from "./kubernetes-cluster.ts";

export interface PrescalingPorts {
  notifier: NotifierPort;
  /** Tests move time forward to reach a cooldown or an expiry without waiting for it. */
  clock: Clock;
}

/**
 * Builds the SQS-triggered pre-scaling handler (alarm state changes, schedules, the expiry sweep, Slack's
 * `scale` and `headroom` commands); every
 * setting and policy is parsed here, once. It serves every configured cluster, each with the policies that name it. `ports` replaces adapters, e.g. the notifier once Slack consumes it.
 */
export function createPrescalingHandler(env: NodeJS.ProcessEnv, ports: Partial<PrescalingPorts> = {}) {
  const config = loadPrescalingConfig(env);
  const logger = new Logger({ serviceName: "harbormaster-prescaling" });
  const metrics = new Metrics({ namespace: "Harbormaster", serviceName: "prescaling" });
  const emf = new EmfMetrics(metrics);
  const log = {
    info: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
    error: (message: string, fields: Record<string, unknown>) => logger.error(message, fields),
  };
  // Slack when HARBORMASTER_SLACK_QUEUE_URL is set (queued, never blocking a scale), else the log.
  const notifier =
    ports.notifier ??
    createSlackNotifier(env, { log: (message, fields) => logger.error(message, fields) }) ??
    new LogNotifier(logger);
  const alarms = config.checkAlarmState ? new CloudWatchAlarms() : undefined;
  const clock = ports.clock ?? systemClock;
  const clusters = config.clusters.map((target) => {
    const policies = policiesOf(config.policies, target.name, config.clusters.length);
    return { name: target.name, policies, deps: clusterDeps(target, policies) };
  });

  // Each cluster's prescaler and command scaler, rebuilt when its connection is (a new EKS token).
  function clusterDeps(target: ClusterTarget, policies: Policy[]): () => Promise<DispatchDeps> {
    const connections = connectionSource({
      kubeconfigPath: target.kubeconfigPath,
      clusterName: target.eksCluster,
      region: target.region,
    });
    // Every notification names the cluster it is about.
    const named = { publish: (n: Notification) => notifier.publish({ ...n, cluster: target.name }) };
    // Slack's `scale` holds HPAs in these namespaces, so the sweep must look there as well as in the policies'.
    const commandNamespaces = config.commandNamespaces ?? policyNamespaces(config.policies);
    const namespaces = [...new Set([...policyNamespaces(policies), ...commandNamespaces])].sort();
    const headroom = commandHeadroom(policies.map((p) => p.headroom));
    let deps: DispatchDeps | undefined;
    return async () => {
      const { value: connection, fresh } = await connections.get();
      if (fresh || !deps) {
        const cluster = new KubernetesPrescalingCluster(connection);
        const prescaler = new Prescaler({ cluster, notifier: named, metrics: emf, clock, log, namespaces });
        const commands = new CommandScaler({
          prescaler,
          cluster,
          notifier: named,
          metrics: emf,
          clock,
          namespaces: commandNamespaces,
          headroom,
        });
        deps = { prescaler, commands, policies, now: () => clock.now(), alarms, log };
      }
      return deps;
    };
  }

  const deps: BatchDeps = {
    dispatch: (trigger) => dispatchToClusters(clusters, trigger, log),
    now: () => clock.now(),
    metrics: emf,
    log,
  };

  async function handlePrescaling(event: SQSEvent): Promise<SQSBatchResponse> {
    metrics.addMetric("BatchSize", MetricUnit.Count, event.Records.length);
    const records = event.Records.map((r) => ({ messageId: r.messageId, body: r.body }));
    const failed = await processPrescalingBatch(deps, records);
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  }

  return middy(handlePrescaling).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
