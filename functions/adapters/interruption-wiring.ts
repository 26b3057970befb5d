import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { loadInterruptionConfig } from "../config/interruption-config.ts";
import { type BatchDeps, processBatch } from "../core/batch.ts";
import { AutoScalingLifecycle } from "./autoscaling.ts";
import { systemClock } from "./clock.ts";
import { Ec2InstanceDirectory } from "./ec2.ts";
import { connectionSource } from "./eks-connection.ts";
import { EmfMetrics } from "./emf-metrics.ts";
import { KubernetesCluster } from "./kubernetes/cluster.ts";
import { LogNotifier } from "./log-notifier.ts";
import { createSlackNotifier } from "./slack/queued-notifier.ts";
import { SqsQueue } from "./sqs-queue.ts";

/**
 * Builds the SQS-triggered interruption handler from an environment; every setting is parsed here, once.
 * `ports` replaces adapters, e.g. the notifier once Slack consumes notifications.
 */
export function createInterruptionHandler(env: NodeJS.ProcessEnv, ports: Partial<Pick<BatchDeps, "notifier">> = {}) {
  const config = loadInterruptionConfig(env);
  const logger = new Logger({ serviceName: "harbormaster-interruptions" });
  const metrics = new Metrics({ namespace: "Harbormaster", serviceName: "interruptions" });
  const connections = connectionSource(config);
  const base = {
    instances: new Ec2InstanceDirectory(),
    lifecycle: new AutoScalingLifecycle(),
    // Slack when HARBORMASTER_SLACK_QUEUE_URL is set (queued, never blocking a drain), else the log.
    notifier:
      createSlackNotifier(env, { log: (message, fields) => logger.error(message, fields) }) ?? new LogNotifier(logger),
    metrics: new EmfMetrics(metrics),
    clock: systemClock,
    queue: new SqsQueue(config.deadLetterQueueUrl),
    log: {
      info: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
      error: (message: string, fields: Record<string, unknown>) => logger.error(message, fields),
    },
    actions: config.actions,
    policy: config.policy,
    deadlines: config.deadlines,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    groupConcurrency: config.groupConcurrency,
    maxReceiveCount: config.maxReceiveCount,
    dryRun: config.dryRun,
    newOwnerId: randomUUID,
    ...ports,
  };
  let cluster: KubernetesCluster | undefined;

  async function handleInterruptions(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const { value: connection, fresh } = await connections.get();
    if (fresh || !cluster) cluster = new KubernetesCluster(connection, { dryRun: config.dryRun });
    const deps: BatchDeps = { ...base, cluster };
    const records = event.Records.map((r) => ({
      messageId: r.messageId,
      body: r.body,
      receiptHandle: r.receiptHandle,
      queueArn: r.eventSourceARN,
      receiveCount: Number(r.attributes.ApproximateReceiveCount) || 1,
    }));
    metrics.addMetric("BatchSize", MetricUnit.Count, records.length);
    const pauseAt = Date.now() + context.getRemainingTimeInMillis() - config.invocationMarginMs;
    return processBatch(deps, records, pauseAt);
  }

  return middy(handleInterruptions).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
