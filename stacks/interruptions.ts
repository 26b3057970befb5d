import type { ClusterGroup } from "./cluster-groups.ts";
import { drainEventSource, eventSourceScaling, interruptionQueueSettings } from "./event-patterns.ts";
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

  // Two stages. The first takes the warnings with many environments at once and cordons every node
  // within seconds; it hands each drain to the drain queue, whose function runs few environments with
  // large batches, so evictions from many environments do not race for each budget (event-patterns.ts).
  const drainQueue = new sst.aws.Queue(
    `DrainQueue${id}`,
    {
      visibilityTimeout: `${interruptionQueueSettings.visibilityTimeoutSeconds} seconds`,
      dlq: { queue: dlq.arn, retry: interruptionQueueSettings.maxReceiveCount },
      transform: { queue: { messageRetentionSeconds: interruptionQueueSettings.retentionSeconds } },
    },
    args.opts,
  );
  const stage = (name: string, from: sst.aws.Queue, concurrency: number, extra: Record<string, $util.Input<string>>) =>
    new sst.aws.Function(
      `${name}${id}`,
      {
        handler: from === queue ? "functions/interruptions.handler" : "functions/drains.handler",
        ...functionDefaults,
        vpc: functionVpc(args.group.vpc),
        // Per function, and concurrency is counted per region: two groups in a region reserve twice.
        concurrency: { reserved: concurrency },
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
          ...extra,
        },
        permissions: [
          ...interruptionPermissions({ clusters: args.clusters, queueArn: from.arn, dlqArn: dlq.arn }),
          ...queuePollerPermissions(from.arn),
          ...notificationPermissions(args.notifications),
          ...(from === queue ? [{ actions: ["sqs:SendMessage"], resources: [drainQueue.arn] }] : []),
        ],
      },
      args.opts,
    );
  const handler = stage("InterruptionHandler", queue, reservedConcurrency.InterruptionHandler.reserved, {
    HARBORMASTER_DRAIN_QUEUE_URL: drainQueue.url,
  });
  const drainer = stage("DrainHandler", drainQueue, reservedConcurrency.DrainHandler.reserved, {
    HARBORMASTER_DRAIN_SLICE_SECONDS: String(drainEventSource.sliceSeconds),
  });
  type Scaling = { batchSize: number; batchWindowSeconds: number; maximumConcurrency: number };
  const subscribe = (from: sst.aws.Queue, fn: sst.aws.Function, scaling: Scaling) =>
    from.subscribe(fn.arn, {
      batch: { size: scaling.batchSize, window: `${scaling.batchWindowSeconds} second`, partialResponses: true },
      transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: scaling.maximumConcurrency } } },
    });
  subscribe(queue, handler, eventSourceScaling);
  subscribe(drainQueue, drainer, drainEventSource);

  return { queue, dlq, handler, drainQueue, drainer };
}
