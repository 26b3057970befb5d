// Cross-cutting settings as plain values (no SST globals), so tests read exactly what is deployed.

/** Alarm thresholds (stacks/alarms.ts). */
export const alarmSettings = {
  /** One message in a DLQ is an interruption, a scale-up or a Slack reply that never happened. */
  dlqDepth: { threshold: 0, periodSeconds: 60, evaluationPeriods: 1 },
  /** Errors are retried by the queues; three bad minutes out of five means retries are not helping. */
  errors: { threshold: 0, periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 },
  /** Throttles mean reserved concurrency or the account limit is too low for the burst. */
  throttles: { threshold: 0, periodSeconds: 60, evaluationPeriods: 1 },
} as const;

/**
 * Reserved concurrency where it matters (set by stacks/interruptions.ts and stacks/slack.ts). Reserving takes
 * capacity from the account's pool in the function's region, which must keep 100 unreserved, so only two
 * functions get it; each cluster group's interruption function reserves its own (docs/deploy.md).
 */
export const reservedConcurrency = {
  // Equal to the SQS event source's maximumConcurrency (event-patterns.ts).
  InterruptionHandler: {
    reserved: 50,
    why: "spot warnings give two minutes; drains must start even when the account's pool is used up",
  },
  // Equal to the drain queue's maximumConcurrency (event-patterns.ts).
  DrainHandler: { reserved: 2, why: "drains must run during an AZ loss even when the account's pool is used up" },
  // Slack shows the user an error when a slash command is not acknowledged within three seconds.
  SlackCommand: { reserved: 10, why: "acknowledge within Slack's three seconds, and cap a flood of forged requests" },
} as const satisfies Record<string, { reserved: number; why: string }>;

/** The Kubernetes group k8s/base/platform/control-plane-rbac.yaml binds (stacks/eks-access.ts). */
export const controlPlaneGroup = "harbormaster:control-plane";

/** Read-only across the cluster (no Secrets); the writes come from the RBAC the group is bound to. */
export const accessPolicyArn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/**
 * Lambda caps a function's environment at 4 KB (names and values). What the config puts there (a group's
 * clusters, policies and drain settings) must leave room for the queue URLs, the service name and the rest.
 */
export const maxConfigEnvironmentBytes = 3_500;
