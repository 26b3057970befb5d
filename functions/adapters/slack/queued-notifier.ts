// The notifier every feature's function uses: it only queues for the Slack worker, so Slack's rate limits,
// retries and outages never hold up a drain, a scale or a rollback.
import { SQSClient } from "@aws-sdk/client-sqs";
import { loadSlackNotifierConfig } from "../../config/slack-config.ts";
import type { Notification } from "../../core/notifications.ts";
import type { MetricsPort, NotifierPort } from "../../core/ports.ts";
import { formatterFor, inCluster, withCluster } from "../../core/slack/format/index.ts";
import type { JobQueue } from "../../core/slack/ports.ts";
import { SqsJobQueue } from "./sqs-jobs.ts";

export interface QueuedNotifierOptions {
  /** The cluster of a function deployed for one; a notification that names its own cluster wins. */
  cluster?: string;
  metrics?: MetricsPort;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export class QueuedSlackNotifier implements NotifierPort {
  private readonly jobs: JobQueue;
  private readonly options: QueuedNotifierOptions;

  constructor(jobs: JobQueue, options: QueuedNotifierOptions = {}) {
    this.jobs = jobs;
    this.options = options;
  }

  async publish(published: Notification): Promise<void> {
    const notification = withCluster(published, this.options.cluster);
    try {
      // Grouped by thread: the worker sees one incident's steps in order, and creates its parent once.
      // The dedupe id is per cluster too: two clusters' same event within SQS's 5 minutes are two messages.
      await this.jobs.enqueue(
        { kind: "notification", cluster: notification.cluster, notification },
        {
          groupId: formatterFor(notification).thread(notification),
          dedupeId: inCluster(notification, notification.dedupeKey),
        },
      );
    } catch (error) {
      this.options.metrics?.count("SlackNotificationDropped", { type: notification.type });
      (this.options.log ?? logError)("slack notification not queued", {
        type: notification.type,
        dedupeKey: notification.dedupeKey,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

function logError(message: string, fields: Record<string, unknown>) {
  console.error(JSON.stringify({ level: "ERROR", message, ...fields }));
}

/**
 * The Slack notifier for a feature's wiring, or undefined when Slack is not configured
 * (HARBORMASTER_SLACK_QUEUE_URL unset): the wiring then keeps its log notifier.
 */
export function createSlackNotifier(
  env: NodeJS.ProcessEnv,
  options: Omit<QueuedNotifierOptions, "cluster"> = {},
): NotifierPort | undefined {
  const config = loadSlackNotifierConfig(env);
  if (!config) return undefined;
  // Short and bounded: a slow queue costs the caller at most a few seconds, then the notification is dropped.
  const sqs = new SQSClient({ maxAttempts: 2, requestHandler: { requestTimeout: 2_000, connectionTimeout: 1_000 } });
  return new QueuedSlackNotifier(new SqsJobQueue(config.queueUrl, sqs), { ...options, cluster: config.cluster });
}
