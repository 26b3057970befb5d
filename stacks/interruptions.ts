import type { ClusterGroup } from "./cluster-groups.ts";
import { eventSourceScaling, interruptionQueueSettings } from "./event-patterns.ts";
import { functionDefaults } from "./function-defaults.ts";
import { interruptionPermissions } from "./iam.ts";
import { functionVpc } from "./network.ts";
import { type NotificationQueue, notificationEnvironment, notificationPermissions } from "./notifications.ts";
import { queuePollerPermissions } from "./queue-poller.ts";
import type { RegionOptions } from "./regions.ts";
import { reservedConcurrency } from "./settings.ts";

export interface InterruptionStackArgs {
  group: ClusterGroup;
  /** The group's clusters, for the IAM scope: each one's ASGs and EKS cluster (stacks/iam.ts). */
  clusters: readonly { eksCluster: string; region: string; autoScalingGroups: readonly string[] }[];
  /** From featureEnvironment: HARBORMASTER_CLUSTERS and the deployment's drain settings, validated at deploy. */
  environment: Record<string, string>;
  /** The Slack stack's queue, when Slack is deployed. */
  notifications?: NotificationQueue;
  /** The group's region (stacks/regions.ts). */
  opts: RegionOptions;
}

// The region's rules (interruption-rules.ts) and the ASG lifecycle hooks deliver into the group's queue; a
// DLQ keeps what cannot be processed. The function drains the group's clusters and deletes at once a
// message about an instance of no cluster it serves.
export function interruptions(args: InterruptionStackArgs) {
  const id = args.group.id;
  const dlq = new sst.aws.Queue(
    `InterruptionDlq${id}`,
    { transform: { queue: { messageRetentionSeconds: interruptionQueueSettings.dlqRetentionSeconds } } },
    args.opts,
  );
  const queue = new sst.aws.Queue(
    `InterruptionQueue${id}`,
    {
      visibilityTimeout: `${interruptionQueueSettings.visibilityTimeoutSeconds} seconds`,
      dlq: { queue: dlq.arn, retry: interruptionQueueSettings.maxReceiveCount },
      transform: { queue: { messageRetentionSeconds: interruptionQueueSettings.retentionSeconds } },
    },
    args.opts,
  );

  const handler = new sst.aws.Function(
    `InterruptionHandler${id}`,
    {
      handler: "functions/interruptions.handler",
      ...functionDefaults,
      vpc: functionVpc(args.group.vpc),
      // Per function, and concurrency is counted per region: two groups in a region reserve twice.
      concurrency: { reserved: reservedConcurrency.InterruptionHandler.reserved },
      // A sixth of the queue's visibility timeout (event-patterns.ts): never redelivered while it runs.
      timeout: `${interruptionQueueSettings.functionTimeoutSeconds} seconds`,
      // A batch can hold a hundred drains; 1,024 MB buys a little over half a vCPU for their watches and JSON.
      memory: "1024 MB",
      environment: {
        ...args.environment,
        HARBORMASTER_DEAD_LETTER_QUEUE_URL: dlq.url,
        HARBORMASTER_MAX_RECEIVE_COUNT: String(interruptionQueueSettings.maxReceiveCount),
        POWERTOOLS_SERVICE_NAME: "harbormaster-interruptions",
        ...notificationEnvironment(args.notifications),
      },
      permissions: [
        ...interruptionPermissions({ clusters: args.clusters, queueArn: queue.arn, dlqArn: dlq.arn }),
        ...queuePollerPermissions(queue.arn),
        ...notificationPermissions(args.notifications),
      ],
    },
    args.opts,
  );
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
