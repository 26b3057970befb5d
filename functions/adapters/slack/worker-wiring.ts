import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { loadSlackWorkerConfig } from "../../config/slack-config.ts";
import type { Notification } from "../../core/notifications.ts";
import { runCommand } from "../../core/slack/execute.ts";
import { parseJob, type SlackJob } from "../../core/slack/jobs.ts";
import { SlackNotifier } from "../../core/slack/notifier.ts";
import type { CommandTargets, SlackPort, ThreadStore } from "../../core/slack/ports.ts";
import { EmfMetrics } from "../emf-metrics.ts";
import { commandTargets, type TargetOptions } from "./command-targets.ts";
import { DynamoSlackState } from "./dynamo-state.ts";
import { TrafficControlEvents } from "./traffic-commands.ts";
import { UpgradeEvents } from "./upgrade-commands.ts";
import { SlackWebApi } from "./web-api.ts";

export interface SlackWorkerPorts {
  slack: SlackPort;
  threads: ThreadStore;
  targets: CommandTargets;
  scaling: TargetOptions["scaling"];
  traffic: TargetOptions["traffic"];
  upgrades: TargetOptions["upgrades"];
}

/** Time kept back at the end of an invocation to answer Slack and report the batch. */
const marginMs = 15_000;

/**
 * The Slack worker: consumes the FIFO queue (commands, cancels, notifications), talks to Slack and the clusters.
 * Jobs of one message group run in order; once one fails, the rest of its group is returned for a retry.
 */
export function createSlackWorker(env: NodeJS.ProcessEnv, ports: Partial<SlackWorkerPorts> = {}) {
  const config = loadSlackWorkerConfig(env);
  const logger = new Logger({ serviceName: "harbormaster-slack-worker" });
  const metrics = new Metrics({ namespace: "Harbormaster", serviceName: "slack" });
  let invocationEnds = Date.now() + 60_000;
  const slack =
    ports.slack ??
    new SlackWebApi({
      token: config.botToken,
      apiUrl: config.apiUrl,
      responseUrlPrefix: config.responseUrlPrefix,
      channelIntervalMs: config.channelIntervalMs,
      retries: config.retries,
    });
  const threads = ports.threads ?? new DynamoSlackState(config.table);
  const targets =
    ports.targets ??
    commandTargets({
      region: config.region,
      clusters: config.clusters,
      pauseAt: () => invocationEnds - marginMs,
      prescalingQueues: config.prescalingQueues,
      scaling: ports.scaling,
      traffic: ports.traffic ?? trafficTargets(config.trafficBus),
      // Upgrades run inside the traffic function, so their events go to the bus its rules listen on.
      upgrades: ports.upgrades ?? upgradeTargets(config.trafficBus),
    });
  const log = {
    error: (message: string, fields: Record<string, unknown>) => logger.error(message, fields),
  };
  const notifier = new SlackNotifier({
    slack,
    threads,
    routes: config.routes,
    defaultChannel: config.defaultChannel,
    metrics: new EmfMetrics(metrics),
    log,
  });

  async function run(job: SlackJob): Promise<void> {
    switch (job.kind) {
      case "notification":
        await notifier.deliver(job.notification as Notification, job.cluster);
        return;
      case "cancel":
        await slack.respond(job.responseUrl, { text: `Cancelled by <@${job.user}>.`, replace_original: true });
        return;
      case "command":
        await runCommand({ slashCommand: config.slashCommand, targets, slack, log }, job);
        return;
    }
  }

  async function handleSlackJobs(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    invocationEnds = Date.now() + context.getRemainingTimeInMillis();
    metrics.addMetric("SlackJobs", MetricUnit.Count, event.Records.length);
    const groups = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      groups.set(group, [...(groups.get(group) ?? []), record]);
    }
    const failed: string[] = [];
    await Promise.all(
      [...groups.values()].map(async (records) => {
        for (const [index, record] of records.entries()) {
          try {
            await run(parseJob(record.body));
          } catch (error) {
            logger.error("slack job failed", { messageId: record.messageId, error });
            // Order within a group matters (a thread's parent before its steps): hold back the rest too.
            failed.push(...records.slice(index).map((r) => r.messageId));
            return;
          }
        }
      }),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  }

  return middy(handleSlackJobs).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

function trafficTargets(bus: string | undefined): TargetOptions["traffic"] {
  if (!bus) return undefined;
  const events = new TrafficControlEvents(bus);
  return async () => events;
}

function upgradeTargets(bus: string | undefined): TargetOptions["upgrades"] {
  if (!bus) return undefined;
  const events = new UpgradeEvents(bus);
  return async () => events;
}
