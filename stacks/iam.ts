// Least-privilege permissions of each function, as plain values: the stacks hand them to sst.aws.Function
// (`permissions`) and the tests read them. `R` is a resource the stack only knows at deploy time (a queue's
// ARN as a Pulumi Output); tests pass strings. The SQS event sources' own ReceiveMessage/DeleteMessage
// are in stacks/queue-poller.ts: SST's `subscribe` adds none for a function given by ARN.

export interface Permission<R = string> {
  actions: string[];
  resources: (R | string)[];
}

/**
 * Actions IAM cannot scope to a resource; the only `"*"` resources a policy here may hold. The interruption
 * function reads instance and ASG tags with them to tell which cluster an event belongs to.
 */
export const unscopableActions = ["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups"] as const;

interface ClusterScope {
  region: string;
  eksCluster: string;
}

interface DrainedCluster extends ClusterScope {
  /** Empty: every group in the region, since a hook may be added to any group later (docs/deploy.md). */
  autoScalingGroups: readonly string[];
}

export const arns = {
  eksCluster: (c: ClusterScope) => `arn:aws:eks:${c.region}:*:cluster/${c.eksCluster}`,
  alarm: (region: string, name: string) => `arn:aws:cloudwatch:${region}:*:alarm:${name}`,
  bus: (region: string, name: string) => `arn:aws:events:${region}:*:event-bus/${name}`,
  autoScalingGroup: (region: string, name: string) =>
    `arn:aws:autoscaling:${region}:*:autoScalingGroup:*:autoScalingGroupName/${name}`,
  hostedZone: (id: string) => `arn:aws:route53:::hostedzone/${id}`,
};

/** One interruption function serves the clusters of its group (stacks/cluster-groups.ts). */
export function interruptionPermissions<R>(s: {
  clusters: readonly DrainedCluster[];
  queueArn: R;
  dlqArn: R;
}): Permission<R>[] {
  const groups = s.clusters.flatMap((c) =>
    c.autoScalingGroups.length > 0
      ? c.autoScalingGroups.map((g) => arns.autoScalingGroup(c.region, g))
      : [arns.autoScalingGroup(c.region, "*")],
  );
  return [
    {
      actions: ["autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"],
      resources: [...new Set(groups)],
    },
    { actions: [...unscopableActions], resources: ["*"] },
    { actions: ["eks:DescribeCluster"], resources: s.clusters.map(arns.eksCluster) },
    { actions: ["sqs:SendMessage"], resources: [s.dlqArn] },
    { actions: ["sqs:ChangeMessageVisibility", "sqs:GetQueueUrl"], resources: [s.queueArn] },
  ];
}

/** One pre-scaling function serves the clusters of its group; their alarms are in the group's region. */
export function prescalingPermissions(s: {
  region: string;
  clusters: readonly ClusterScope[];
  alarmNames: readonly string[];
}): Permission[] {
  return [
    { actions: ["eks:DescribeCluster"], resources: s.clusters.map(arns.eksCluster) },
    ...(s.alarmNames.length > 0
      ? [{ actions: ["cloudwatch:DescribeAlarms"], resources: s.alarmNames.map((a) => arns.alarm(s.region, a)) }]
      : []),
  ];
}

export function trafficPermissions<R>(s: {
  region: string;
  hostedZoneIds: readonly string[];
  alarmNames: readonly string[];
  /** `arn:aws:scheduler:<region>:<account>:schedule/<group>/*`: only schedules in its own group. */
  schedulesInGroup: R;
  schedulerRoleArn: R;
}): Permission<R>[] {
  return [
    {
      actions: ["route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"],
      resources: s.hostedZoneIds.map(arns.hostedZone),
    },
    { actions: ["route53:GetChange"], resources: ["arn:aws:route53:::change/*"] },
    ...(s.alarmNames.length > 0
      ? [{ actions: ["cloudwatch:DescribeAlarms"], resources: s.alarmNames.map((a) => arns.alarm(s.region, a)) }]
      : []),
    { actions: ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"], resources: [s.schedulesInGroup] },
    { actions: ["iam:PassRole"], resources: [s.schedulerRoleArn] },
  ];
}

/**
 * The traffic function running upgrades: a token for each upgraded cluster (DescribeCluster); what it does
 * in the cluster is the EKS access entry's (stacks/eks-access.ts). Its schedules stay in its own group.
 */
export function upgradePermissions(s: { clusters: readonly ClusterScope[] }): Permission[] {
  return [{ actions: ["eks:DescribeCluster"], resources: s.clusters.map(arns.eksCluster) }];
}

export function deployNotifyPermissions(s: { region: string; bus: string }): Permission[] {
  return [{ actions: ["events:PutEvents"], resources: [arns.bus(s.region, s.bus)] }];
}

export function slackCommandPermissions<R>(s: { tableArn: R; queueArn: R }): Permission<R>[] {
  return [
    { actions: ["dynamodb:PutItem"], resources: [s.tableArn] },
    { actions: ["sqs:SendMessage"], resources: [s.queueArn] },
  ];
}

export function slackWorkerPermissions<R>(s: {
  tableArn: R;
  clusters: readonly ClusterScope[];
  trafficBus?: { region: string; name: string };
  /** The pre-scaling queues `scale` and `headroom` are sent to. */
  prescalingQueueArns?: readonly R[];
}): Permission<R>[] {
  const prescaling = s.prescalingQueueArns ?? [];
  return [
    { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], resources: [s.tableArn] },
    { actions: ["eks:DescribeCluster"], resources: s.clusters.map(arns.eksCluster) },
    ...(s.trafficBus
      ? [{ actions: ["events:PutEvents"], resources: [arns.bus(s.trafficBus.region, s.trafficBus.name)] }]
      : []),
    ...(prescaling.length > 0 ? [{ actions: ["sqs:SendMessage"], resources: [...prescaling] }] : []),
  ];
}

/** The IAM policy document a function's role gets for these permissions. */
export function policyDocument<R>(permissions: readonly Permission<R>[]) {
  return {
    Version: "2012-10-17" as const,
    Statement: permissions.map((p) => ({ Effect: "Allow" as const, Action: p.actions, Resource: p.resources })),
  };
}

/** EventBridge Scheduler assumes this to deliver a schedule's message; nothing else may. */
export function schedulerAssumeRolePolicy(account?: string) {
  return {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Effect: "Allow" as const,
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        ...(account ? { Condition: { StringEquals: { "aws:SourceAccount": account } } } : {}),
      },
    ],
  };
}

/**
 * The queue policy that lets only the given EventBridge rules (or schedules) send to a queue: a rule in
 * another account must not inject messages.
 */
export function eventBridgeSendPolicy<R, S>(queueArn: R, sourceArns: readonly S[]) {
  return {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Effect: "Allow" as const,
        Principal: { Service: ["events.amazonaws.com"] },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": sourceArns } },
      },
    ],
  };
}
