import { eventSourceScaling, interruptionEventPatterns, interruptionQueueSettings } from "./event-patterns.ts";
import { functionDefaults } from "./function-defaults.ts";
import { eventBridgeSendPolicy, interruptionPermissions } from "./iam.ts";
import { type NotificationQueue, notificationEnvironment, notificationPermissions } from "./notifications.ts";

export interface InterruptionStackArgs {
  /** The EKS cluster whose nodes Harbormaster drains. */
  clusterName: string;
  /** JSON overrides, validated by the function at cold start (see README, Configuration). */
  actions?: string;
  drainPolicy?: string;
  dryRun?: boolean;
  /** The cluster's region and Auto Scaling groups scope the IAM policy (stacks/iam.ts). */
  region?: string;
  autoScalingGroups?: string[];
  /** The Slack stack's queue, when Slack is deployed. */
  notifications?: NotificationQueue;
}

// EventBridge rules and ASG lifecycle hooks deliver into one queue; a DLQ keeps what cannot be processed.
export function interruptions(args: InterruptionStackArgs) {
  const dlq = new sst.aws.Queue("InterruptionDlq", {
    transform: { queue: { messageRetentionSeconds: interruptionQueueSettings.dlqRetentionSeconds } },
  });
  const queue = new sst.aws.Queue("InterruptionQueue", {
    visibilityTimeout: `${interruptionQueueSettings.visibilityTimeoutSeconds} seconds`,
    dlq: { queue: dlq.arn, retry: interruptionQueueSettings.maxReceiveCount },
    transform: { queue: { messageRetentionSeconds: interruptionQueueSettings.retentionSeconds } },
  });

  const rules = Object.entries(interruptionEventPatterns).map(([name, pattern]) => {
    const rule = new aws.cloudwatch.EventRule(`Interruption${pascal(name)}Rule`, {
      eventPattern: JSON.stringify(pattern),
    });
    new aws.cloudwatch.EventTarget(`Interruption${pascal(name)}Target`, { rule: rule.name, arn: queue.arn });
    return rule;
  });
  new aws.sqs.QueuePolicy("InterruptionQueuePolicy", {
    queueUrl: queue.url,
    // Only this app's rules: a rule in another account must not inject interruptions.
    policy: $jsonStringify(
      eventBridgeSendPolicy(
        queue.arn,
        rules.map((rule) => rule.arn),
      ),
    ),
  });

  const handler = new sst.aws.Function("InterruptionHandler", {
    handler: "functions/interruptions.handler",
    ...functionDefaults,
    // A sixth of the queue's visibility timeout (event-patterns.ts): never redelivered while it runs.
    timeout: `${interruptionQueueSettings.functionTimeoutSeconds} seconds`,
    // A batch can hold a hundred drains; 1,024 MB buys a little over half a vCPU for their watches and JSON.
    memory: "1024 MB",
    environment: {
      HARBORMASTER_CLUSTER_NAME: args.clusterName,
      HARBORMASTER_DEAD_LETTER_QUEUE_URL: dlq.url,
      HARBORMASTER_MAX_RECEIVE_COUNT: String(interruptionQueueSettings.maxReceiveCount),
      HARBORMASTER_ACTIONS: args.actions ?? "{}",
      HARBORMASTER_DRAIN_POLICY: args.drainPolicy ?? "{}",
      HARBORMASTER_DRY_RUN: args.dryRun ? "true" : "false",
      POWERTOOLS_SERVICE_NAME: "harbormaster-interruptions",
      ...notificationEnvironment(args.notifications),
    },
    permissions: [
      ...interruptionPermissions({
        cluster: { region: args.region ?? "*", eksCluster: args.clusterName },
        autoScalingGroups: args.autoScalingGroups ?? [],
        queueArn: queue.arn,
        dlqArn: dlq.arn,
      }),
      ...notificationPermissions(args.notifications),
    ],
  });
  queue.subscribe(handler.arn, {
    batch: {
      size: eventSourceScaling.batchSize,
      window: `${eventSourceScaling.batchWindowSeconds} second`,
      partialResponses: true,
    },
    transform: {
      eventSourceMapping: { scalingConfig: { maximumConcurrency: eventSourceScaling.maximumConcurrency } },
    },
  });

  return { queue, dlq, handler };
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
