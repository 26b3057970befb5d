import { parsePolicies } from "../functions/config/prescaling-config.ts";
import { functionDefaults } from "./function-defaults.ts";
import { eventBridgeSendPolicy, prescalingPermissions } from "./iam.ts";
import { stageName } from "./naming.ts";
import { type NotificationQueue, notificationEnvironment, notificationPermissions } from "./notifications.ts";
import {
  maxPoliciesBytes,
  prescalingAlarmPattern,
  prescalingQueueSettings,
  prescalingSchedules,
} from "./prescaling-patterns.ts";

export interface PrescalingStackArgs {
  clusterName: string;
  /** The policies as JSON; validated here, at deploy time, with the schema the function uses at cold start. */
  policies: string;
  /** The cluster's region scopes the IAM policy (stacks/iam.ts). */
  region?: string;
  /** The Slack stack's queue, when Slack is deployed. */
  notifications?: NotificationQueue;
  /** Made first by `prescalingQueues()`, so the Slack worker can be given the queue before this stack exists. */
  queues?: PrescalingQueues;
  /** Namespaces whose HPAs Slack's `scale` may hold (comma-separated); default: the policies' namespaces. */
  commandNamespaces?: string;
}

export type PrescalingQueues = ReturnType<typeof prescalingQueues>;

/** The queue every trigger arrives on (alarms, schedules, the sweep, Slack's commands) and its DLQ. */
export function prescalingQueues() {
  const dlq = new sst.aws.Queue("PrescalingDlq", {
    transform: { queue: { messageRetentionSeconds: prescalingQueueSettings.dlqRetentionSeconds } },
  });
  const queue = new sst.aws.Queue("PrescalingQueue", {
    visibilityTimeout: `${prescalingQueueSettings.visibilityTimeoutSeconds} seconds`,
    dlq: { queue: dlq.arn, retry: prescalingQueueSettings.maxReceiveCount },
    transform: { queue: { messageRetentionSeconds: prescalingQueueSettings.retentionSeconds } },
  });
  return { queue, dlq };
}

// Alarm state changes (EventBridge) and schedules (EventBridge Scheduler, in each window's time zone) feed
// one queue; the function raises floors and headroom, and a sweep every minute ends what has expired.
export function prescaling(args: PrescalingStackArgs) {
  const policies = parsePolicies(args.policies);
  const compact = JSON.stringify(JSON.parse(args.policies));
  if (Buffer.byteLength(compact) > maxPoliciesBytes)
    throw new Error(
      `pre-scaling policies take ${Buffer.byteLength(compact)} bytes; Lambda's environment allows ${maxPoliciesBytes}`,
    );

  const { queue, dlq } = args.queues ?? prescalingQueues();

  const sources: $util.Input<string>[] = [];
  const pattern = prescalingAlarmPattern(policies);
  if (pattern) {
    const rule = new aws.cloudwatch.EventRule("PrescalingAlarmRule", { eventPattern: JSON.stringify(pattern) });
    new aws.cloudwatch.EventTarget("PrescalingAlarmTarget", { rule: rule.name, arn: queue.arn });
    sources.push(rule.arn);
  }

  const schedulerRole = new aws.iam.Role("PrescalingSchedulerRole", {
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
  // Its own group per stage: the schedules are listed, tagged and removed together, apart from traffic's.
  const group = new aws.scheduler.ScheduleGroup("PrescalingSchedules", {
    name: stageName($app.name, $app.stage, ["prescaling"]),
  });
  for (const schedule of prescalingSchedules(policies)) {
    new aws.scheduler.Schedule(`Prescaling-${schedule.name}`, {
      groupName: group.name,
      name: `${$app.name}-${$app.stage}-${schedule.name}`.slice(0, 64),
      scheduleExpression: schedule.expression,
      scheduleExpressionTimezone: schedule.timezone,
      flexibleTimeWindow: { mode: "OFF" },
      target: { arn: queue.arn, roleArn: schedulerRole.arn, input: schedule.input },
    });
  }
  if (sources.length > 0) {
    new aws.sqs.QueuePolicy("PrescalingQueuePolicy", {
      queueUrl: queue.url,
      policy: $jsonStringify(eventBridgeSendPolicy(queue.arn, sources)),
    });
  }

  const handler = new sst.aws.Function("PrescalingHandler", {
    handler: "functions/prescaling.handler",
    ...functionDefaults,
    timeout: `${prescalingQueueSettings.visibilityTimeoutSeconds - 30} seconds`,
    memory: "256 MB",
    environment: {
      HARBORMASTER_CLUSTER_NAME: args.clusterName,
      HARBORMASTER_PRESCALING_POLICIES: compact,
      ...(args.commandNamespaces ? { HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: args.commandNamespaces } : {}),
      POWERTOOLS_SERVICE_NAME: "harbormaster-prescaling",
      ...notificationEnvironment(args.notifications),
    },
    permissions: [
      ...prescalingPermissions({
        cluster: { region: args.region ?? "*", eksCluster: args.clusterName },
        alarmNames: [...new Set(policies.flatMap((p) => p.alarms))],
      }),
      ...notificationPermissions(args.notifications),
    ],
  });
  queue.subscribe(handler.arn, {
    batch: { size: prescalingQueueSettings.batchSize, partialResponses: true },
    transform: {
      eventSourceMapping: { scalingConfig: { maximumConcurrency: prescalingQueueSettings.maximumConcurrency } },
    },
  });

  return { queue, dlq, handler, group };
}
