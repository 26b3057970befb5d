// Event kinds, snake_case so they double as metric dimensions and log fields.
export const Kind = {
  SpotInterrupted: "spot_interrupted",
  RebalanceRecommendation: "rebalance_recommendation",
  InstanceStopping: "instance_stopping",
  InstanceTerminated: "instance_terminated",
  TerminateLifecycle: "terminate_lifecycle",
  LaunchLifecycle: "launch_lifecycle",
  ScheduledChange: "scheduled_change",
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export const IgnoredKind = {
  TestNotification: "test_notification",
  NoOp: "no_op",
} as const;
export type IgnoredKind = (typeof IgnoredKind)[keyof typeof IgnoredKind];
