import type { VpcPlacement } from "./cluster-groups.ts";
import { functionDefaults } from "./function-defaults.ts";
import { slackCommandPermissions, slackWorkerPermissions } from "./iam.ts";
import { functionVpc } from "./network.ts";
import { queuePollerPermissions } from "./queue-poller.ts";
import { reservedConcurrency } from "./settings.ts";

export interface SlackStackArgs {
  /** JSON allow-list (docs/slack.md); the functions validate it at cold start. */
  access: string;
  /** JSON map of cluster name → { eksCluster, region, channels }. One Slack app serves them all. */
  clusters: string;
  /** JSON list of notification routes: { cluster?, namespace?, kind?, channel }. */
  routes?: string;
  defaultChannel: string;
  slashCommand?: string;
  /** The bus the traffic stack's control rule listens on, when traffic shifting is deployed. */
  trafficBus?: string;
  /** JSON map of upgrade name → { domain, blue, green }: what `upgrade` may address (featureEnvironment). */
  upgrades?: string;
  /**
   * Each cluster's pre-scaling queue, where `scale` and `headroom` go (stacks/prescaling.ts): the queue of
   * its group, so clusters of one group share a queue and the message names the cluster.
   */
  prescalingQueues?: readonly { cluster: string; url: $util.Input<string>; arn: $util.Input<string> }[];
  /** Where the worker reaches every cluster's API (stacks/network.ts, `slackWorkerVpc`). */
  workerVpc?: VpcPlacement;
}

/** Queue settings, apart so they can be read and tested without SST. */
export const slackQueueSettings = {
  // Above the worker's timeout, so a job is not handed out twice while it runs.
  visibilityTimeoutSeconds: 360,
  workerTimeoutSeconds: 300,
  maxReceiveCount: 5,
  batchSize: 10,
} as const;

// A Function URL acknowledges; a FIFO queue (grouped by thread, de-duplicated) feeds the worker that talks
// to Slack and the clusters; one small table holds replayed-request ids and each thread's parent message.
export function slack(args: SlackStackArgs) {
  const signingSecret = new sst.Secret("SlackSigningSecret");
  const botToken = new sst.Secret("SlackBotToken");
  const table = new sst.aws.Dynamo("SlackState", {
    fields: { pk: "string" },
    primaryIndex: { hashKey: "pk" },
    ttl: "expiresAt",
  });
  const dlq = new sst.aws.Queue("SlackDlq", { fifo: true });
  const queue = new sst.aws.Queue("SlackQueue", {
    fifo: true,
    visibilityTimeout: `${slackQueueSettings.visibilityTimeoutSeconds} seconds`,
    dlq: { queue: dlq.arn, retry: slackQueueSettings.maxReceiveCount },
  });
  const shared = {
    HARBORMASTER_SLACK_COMMAND: args.slashCommand ?? "/harbormaster",
    HARBORMASTER_SLACK_CLUSTERS: args.clusters,
    HARBORMASTER_SLACK_TABLE: table.name,
  };

  const command = new sst.aws.Function("SlackCommand", {
    handler: "functions/slack-command.handler",
    ...functionDefaults,
    concurrency: { reserved: reservedConcurrency.SlackCommand.reserved },
    // Slack gives three seconds; the function answers in well under one, cold start included.
    timeout: "5 seconds",
    memory: "512 MB",
    url: true,
    environment: {
      ...shared,
      HARBORMASTER_SLACK_SIGNING_SECRET: signingSecret.value,
      HARBORMASTER_SLACK_ACCESS: args.access,
      HARBORMASTER_SLACK_QUEUE_URL: queue.url,
      ...(args.upgrades ? { HARBORMASTER_SLACK_UPGRADES: args.upgrades } : {}),
      POWERTOOLS_SERVICE_NAME: "harbormaster-slack-command",
    },
    permissions: slackCommandPermissions({ tableArn: table.arn, queueArn: queue.arn }),
  });

  const worker = new sst.aws.Function("SlackWorker", {
    handler: "functions/slack-worker.handler",
    ...functionDefaults,
    vpc: functionVpc(args.workerVpc),
    timeout: `${slackQueueSettings.workerTimeoutSeconds} seconds`,
    memory: "512 MB",
    environment: {
      ...shared,
      HARBORMASTER_SLACK_BOT_TOKEN: botToken.value,
      HARBORMASTER_SLACK_ROUTES: args.routes ?? "[]",
      HARBORMASTER_SLACK_DEFAULT_CHANNEL: args.defaultChannel,
      ...(args.trafficBus ? { HARBORMASTER_SLACK_TRAFFIC_BUS: args.trafficBus } : {}),
      ...(args.prescalingQueues?.length
        ? {
            HARBORMASTER_SLACK_PRESCALING_QUEUES: $jsonStringify(
              Object.fromEntries(args.prescalingQueues.map((q) => [q.cluster, q.url])),
            ),
          }
        : {}),
      POWERTOOLS_SERVICE_NAME: "harbormaster-slack-worker",
    },
    permissions: [
      ...queuePollerPermissions(queue.arn),
      ...slackWorkerPermissions({
        tableArn: table.arn,
        clusters: eksClusters(args.clusters),
        trafficBus: args.trafficBus ? { region: "*", name: args.trafficBus } : undefined,
        // Clusters of one group share its queue: one statement resource per queue.
        prescalingQueueArns: [...new Set(args.prescalingQueues?.map((q) => q.arn))].map((arn) => $output(arn)),
      }),
    ],
  });
  queue.subscribe(worker.arn, { batch: { size: slackQueueSettings.batchSize, partialResponses: true } });

  return { queue, dlq, table, command, worker };
}

/** The EKS clusters the worker may describe, from the clusters JSON (kubeconfig-only entries need none). */
function eksClusters(clusters: string): { region: string; eksCluster: string }[] {
  const parsed = JSON.parse(clusters) as Record<string, { eksCluster?: string; region?: string }>;
  return Object.values(parsed).flatMap((c) =>
    c.eksCluster ? [{ region: c.region ?? "*", eksCluster: c.eksCluster }] : [],
  );
}
