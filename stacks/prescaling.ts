import { parsePolicies } from "../functions/config/prescaling-config.ts";
import { type ClusterGroup, groupNameParts } from "./cluster-groups.ts";
import { functionDefaults } from "./function-defaults.ts";
import { eventBridgeSendPolicy, prescalingPermissions } from "./iam.ts";
import { stageName } from "./naming.ts";
import { functionVpc } from "./network.ts";
import { type NotificationQueue, notificationEnvironment, notificationPermissions } from "./notifications.ts";
import { prescalingAlarmPattern, prescalingQueueSettings, prescalingSchedules } from "./prescaling-patterns.ts";
import { queuePollerPermissions } from "./queue-poller.ts";
import type { RegionOptions } from "./regions.ts";

export interface PrescalingStackArgs {
  group: ClusterGroup;
  /** The group's clusters, for the IAM scope (stacks/iam.ts). */
  clusters: readonly { eksCluster: string; region: string }[];
  /**
   * From featureEnvironment: HARBORMASTER_CLUSTERS and the policies of the group's clusters, validated (and
   * their size checked) by validateConfig with the schema the function uses at cold start.
   */
  environment: { HARBORMASTER_PRESCALING_POLICIES: string } & Record<string, string>;
  /** The Slack stack's queue, when Slack is deployed. */
  notifications?: NotificationQueue;
  /** Made first by `prescalingQueues()`, so the Slack worker can be given the queue before this stack exists. */
  queues: PrescalingQueues;
  /** The group's region (stacks/regions.ts). */
  opts: RegionOptions;
}

export type PrescalingQueues = ReturnType<typeof prescalingQueues>;

/** The queue every trigger of a group arrives on (alarms, schedules, the sweep, Slack's commands) and its DLQ. */
export function prescalingQueues(group: ClusterGroup, opts: RegionOptions) {
  const dlq = new sst.aws.Queue(
    `PrescalingDlq${group.id}`,
    { transform: { queue: { messageRetentionSeconds: prescalingQueueSettings.dlqRetentionSeconds } } },
    opts,
  );
  const queue = new sst.aws.Queue(
    `PrescalingQueue${group.id}`,
    {
      visibilityTimeout: `${prescalingQueueSettings.visibilityTimeoutSeconds} seconds`,
      dlq: { queue: dlq.arn, retry: prescalingQueueSettings.maxReceiveCount },
      transform: { queue: { messageRetentionSeconds: prescalingQueueSettings.retentionSeconds } },
    },
    opts,
  );
  return { queue, dlq };
}

// Alarm state changes (EventBridge) and schedules (EventBridge Scheduler, in each window's time zone) feed
// the group's queue; its function raises floors and headroom in the group's clusters, and a sweep every
// minute ends what has expired.
export function prescaling(args: PrescalingStackArgs) {
  const { id } = args.group;
  const policies = parsePolicies(args.environment.HARBORMASTER_PRESCALING_POLICIES);
  const { queue, dlq } = args.queues;

  const sources: $util.Input<string>[] = [];
  const pattern = prescalingAlarmPattern(policies);
  if (pattern) {
    const rule = new aws.cloudwatch.EventRule(
      `PrescalingAlarmRule${id}`,
      { eventPattern: JSON.stringify(pattern) },
      args.opts,
    );
    new aws.cloudwatch.EventTarget(`PrescalingAlarmTarget${id}`, { rule: rule.name, arn: queue.arn }, args.opts);
    sources.push(rule.arn);
  }

  const schedulerRole = new aws.iam.Role(`PrescalingSchedulerRole${id}`, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    inlinePolicies: [
      {
        name: "send",
        policy: $jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: queue.arn }],
        }),
      },
    ],
  });
  // Its own group per stage and cluster group: listed, tagged and removed together, apart from traffic's.
  const group = new aws.scheduler.ScheduleGroup(
    `PrescalingSchedules${id}`,
    { name: stageName($app.name, $app.stage, ["prescaling", ...groupNameParts(args.group)]) },
    args.opts,
  );
  for (const schedule of prescalingSchedules(policies)) {
    new aws.scheduler.Schedule(
      `Prescaling${id}-${schedule.name}`,
      {
        groupName: group.name,
        name: `${$app.name}-${$app.stage}-${schedule.name}`.slice(0, 64),
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: schedule.timezone,
        flexibleTimeWindow: { mode: "OFF" },
        target: { arn: queue.arn, roleArn: schedulerRole.arn, input: schedule.input },
      },
      args.opts,
    );
  }
  if (sources.length > 0) {
    new aws.sqs.QueuePolicy(
      `PrescalingQueuePolicy${id}`,
      { queueUrl: queue.url, policy: $jsonStringify(eventBridgeSendPolicy(queue.arn, sources)) },
      args.opts,
    );
  }

  const handler = new sst.aws.Function(
    `PrescalingHandler${id}`,
    {
      handler: "functions/prescaling.handler",
      ...functionDefaults,
      vpc: functionVpc(args.group.vpc),
      timeout: `${prescalingQueueSettings.visibilityTimeoutSeconds - 30} seconds`,
      memory: "256 MB",
      environment: {
        ...args.environment,
        POWERTOOLS_SERVICE_NAME: "harbormaster-prescaling",
        ...notificationEnvironment(args.notifications),
      },
      permissions: [
        ...prescalingPermissions({
          region: args.group.region,
          clusters: args.clusters,
          alarmNames: [...new Set(policies.flatMap((p) => p.alarms))],
        }),
        ...notificationPermissions(args.notifications),
        ...queuePollerPermissions(queue.arn),
      ],
    },
    args.opts,
  );
  queue.subscribe(handler.arn, {
    batch: { size: prescalingQueueSettings.batchSize, partialResponses: true },
    transform: {
      eventSourceMapping: { scalingConfig: { maximumConcurrency: prescalingQueueSettings.maximumConcurrency } },
    },
  });

  return { queue, dlq, handler, group };
}
