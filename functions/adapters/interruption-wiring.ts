import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { ClusterTarget } from "../config/clusters.ts";
import { loadInterruptionConfig } from "../config/interruption-config.ts";
import { type BatchDeps, processBatch } from "../core/batch.ts";
import { findNode } from "../core/find-node.ts";
import type { ProcessorDeps } from "../core/processor.ts";
import { ClusterRouter } from "../core/routing/router.ts";
import { AutoScalingLifecycle } from "./autoscaling.ts";
import { systemClock } from "./clock.ts";
import { Ec2InstanceDirectory } from "./ec2.ts";
import { connectionSource } from "./eks-connection.ts";
import { EmfMetrics } from "./emf-metrics.ts";
import { KubernetesCluster } from "./kubernetes/cluster.ts";
import { LogNotifier } from "./log-notifier.ts";
import { createSlackNotifier } from "./slack/queued-notifier.ts";
import { SqsQueue } from "./sqs-queue.ts";

/** One cluster's apiserver client, rebuilt when its connection is (a new EKS token). */
function clusterHandle(target: ClusterTarget, dryRun: boolean) {
  const connections = connectionSource({
    kubeconfigPath: target.kubeconfigPath,
    clusterName: target.eksCluster,
    region: target.region,
  });
  let cluster: KubernetesCluster | undefined;
  return {
    target,
    async port(): Promise<KubernetesCluster> {
      const { value: connection, fresh } = await connections.get();
      if (fresh || !cluster) cluster = new KubernetesCluster(connection, { dryRun });
      return cluster;
    },
  };
}

/**
 * Builds the SQS-triggered interruption handler from an environment; every setting is parsed here, once.
 * It serves every configured cluster. `ports` replaces adapters, e.g. the notifier.
 */
export function createInterruptionHandler(
  env: NodeJS.ProcessEnv,
  ports: Partial<Pick<ProcessorDeps, "notifier">> = {},
) {
  const config = loadInterruptionConfig(env);
  const logger = new Logger({ serviceName: "harbormaster-interruptions" });
  const metrics = new Metrics({ namespace: "Harbormaster", serviceName: "interruptions" });
  const instances = new Ec2InstanceDirectory();
  const lifecycle = new AutoScalingLifecycle();
  const shared = {
    instances,
    lifecycle,
    // Slack when HARBORMASTER_SLACK_QUEUE_URL is set (queued, never blocking a drain), else the log.
    notifier:
      createSlackNotifier(env, { log: (message, fields) => logger.error(message, fields) }) ?? new LogNotifier(logger),
    metrics: new EmfMetrics(metrics),
    clock: systemClock,
    deadlines: config.deadlines,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    dryRun: config.dryRun,
    newOwnerId: randomUUID,
    ...ports,
  };
  const clusters = new Map(config.clusters.map((target) => [target.name, clusterHandle(target, config.dryRun)]));
  const clusterHandleOf = (name: string) => {
    const handle = clusters.get(name);
    if (!handle) throw new Error(`no cluster named ${name}`);
    return handle;
  };
  const clusterDeps = async (name: string): Promise<ProcessorDeps> => {
    const handle = clusterHandleOf(name);
    return {
      ...shared,
      clusterName: name,
      cluster: await handle.port(),
      actions: handle.target.actions,
      policy: handle.target.policy,
    };
  };
  const router = new ClusterRouter(
    config.clusters.map((target) => ({
      name: target.name,
      eksCluster: target.eksCluster,
      autoScalingGroups: target.autoScalingGroups,
      hasNode: async (instanceId: string) =>
        (await clusterHandleOf(target.name).port()).hasInstance(instanceId, instances.knownDnsNames(instanceId)),
      // Nodes registered without a providerID, by the instance's DNS names (the directory caches them).
      hasNodeNamed: async (instanceId: string) => Boolean(await findNode(await clusterDeps(target.name), instanceId)),
    })),
    { instanceTags: (ids) => instances.instanceTags(ids), groupTags: (names) => lifecycle.groupTags(names) },
    systemClock.now,
  );
  const queue = new SqsQueue(config.deadLetterQueueUrl, undefined, config.drainQueueUrl);
  const deps: BatchDeps = {
    router,
    cluster: clusterDeps,
    queue,
    handOff: queue.handsOff ? (records) => queue.handOff(records) : undefined,
    log: {
      info: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
      error: (message: string, fields: Record<string, unknown>) => logger.error(message, fields),
    },
    metrics: shared.metrics,
    clock: systemClock,
    groupConcurrency: config.groupConcurrency,
    maxReceiveCount: config.maxReceiveCount,
    foreignLogged: new Set(),
  };

  async function handleInterruptions(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const records = event.Records.map((r) => ({
      messageId: r.messageId,
      body: r.body,
      receiptHandle: r.receiptHandle,
      queueArn: r.eventSourceARN,
      receiveCount: Number(r.attributes.ApproximateReceiveCount) || 1,
    }));
    metrics.addMetric("BatchSize", MetricUnit.Count, records.length);
    const pauseAt = Date.now() + context.getRemainingTimeInMillis() - config.invocationMarginMs;
    const [first] = records;
    if (config.drainSliceMs === undefined || !first) return processBatch(deps, records, pauseAt);
    // A drain environment takes no new batch while it runs: drains handed over after it took this one
    // would wait for it. After a slice, whenever some wait in its queue, its drains pause and go back too,
    // and the next batches take them all together.
    // Each invocation's slice is its own length, one to two slices: two environments that took their
    // batches together and handed back together left nothing evicting for 3-4 s every slice (at 300 lost
    // nodes, 9-14 idle seconds in 95). The one that stops first takes the waiting drains; the other goes on.
    const handBack = new AbortController();
    const slice = config.drainSliceMs * (1 + Math.random());
    const watching = watchQueue(queue, first.queueArn, Date.now() + slice, pauseAt, handBack);
    try {
      return await processBatch(deps, records, pauseAt, handBack.signal);
    } finally {
      watching.stop();
    }
  }

  return middy(handleInterruptions).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

/** How often a drain invocation past its slice asks whether new drains wait in its queue. */
const queueCheckMs = 2_000;

// Aborts `handBack` once, after `from`, when the queue holds messages no environment is taking: seen
// waiting at two checks in a row. One look is not enough: the drains another environment just handed back
// wait there for a moment, until that environment's next batch takes them, and a hand-back on seeing them
// made both environments stop at once, every slice, with nothing evicting while they started again.
function watchQueue(queue: SqsQueue, queueArn: string, from: number, until: number, handBack: AbortController) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let waitingBefore = 0;
  const check = async () => {
    const waiting = await queue.waiting(queueArn).catch(() => 0);
    // A check in flight when the invocation ended must not start another one.
    if (stopped) return;
    if (waiting > 0 && waitingBefore > 0) return handBack.abort();
    waitingBefore = waiting;
    if (Date.now() + queueCheckMs < until) timer = setTimeout(check, queueCheckMs);
  };
  timer = setTimeout(check, Math.max(0, from - Date.now()));
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
