// EventBridge patterns for the events Harbormaster acts on. Plain values, no SST globals,
// so unit tests and the emulator-backed integration tests use exactly what is deployed.

export const interruptionEventPatterns = {
  spotInterruption: {
    source: ["aws.ec2"],
    "detail-type": ["EC2 Spot Instance Interruption Warning"],
  },
  rebalanceRecommendation: {
    source: ["aws.ec2"],
    "detail-type": ["EC2 Instance Rebalance Recommendation"],
  },
  instanceStateChange: {
    source: ["aws.ec2"],
    "detail-type": ["EC2 Instance State-change Notification"],
    detail: { state: ["stopping", "stopped", "shutting-down", "terminated"] },
  },
  asgLifecycle: {
    source: ["aws.autoscaling"],
    "detail-type": ["EC2 Instance-launch Lifecycle Action", "EC2 Instance-terminate Lifecycle Action"],
  },
  scheduledChange: {
    source: ["aws.health"],
    "detail-type": ["AWS Health Event"],
    detail: { service: ["EC2"], eventTypeCategory: ["scheduledChange"] },
  },
} as const;

export type InterruptionEventRule = keyof typeof interruptionEventPatterns;

// Lambda's SQS guidance: visibility at least 6x the function timeout, so a batch the poller holds while
// the function is throttled or retried is not handed out twice. A long visibility does not delay drains:
// the handler requeues unfinished work itself with a short visibility (ChangeMessageVisibility, see
// functions/adapters/sqs-queue.ts); the full 900 s applies only when an invocation crashes or times out.
export const interruptionQueueSettings = {
  /** 150 s covers a two-minute spot warning plus the handler's 30 s invocation margin. */
  functionTimeoutSeconds: 150,
  visibilityTimeoutSeconds: 900,
  retentionSeconds: 4 * 60 * 60,
  // A drain longer than one invocation is requeued; ten receives cover a ten-minute lifecycle drain.
  maxReceiveCount: 10,
  dlqRetentionSeconds: 14 * 24 * 60 * 60,
} as const;

// Lambda's SQS event source starts with five concurrent batches and scales out while messages wait.
// An AZ loss puts a hundred warnings in the queue at once. Large batches put many drains in one execution
// environment, where evictions under one budget queue behind each other instead of racing: the apiserver
// answers two evictions racing for one budget's status by sleeping 500 ms, so across environments a
// hundred drains made each eviction take seconds. The cap still lets a burst spread out when it must.
export const eventSourceScaling = {
  initialConcurrency: 5,
  maximumConcurrency: 50,
  batchSize: 100,
  batchWindowSeconds: 1,
} as const;

// The drain stage (stacks/interruptions.ts): few environments, so few writers race for each budget, and
// Lambda's minimum for maximumConcurrency is 2. At 300 lost nodes, 27 environments draining at once made
// 99% of evictions lose a race (p50 5.6 s each); 5 environments moved 2,032 pods in the warning (eviction
// p50 2.2 s), 2 moved 3,107-3,645 (p50 1.0-1.1 s). After one to two slices (drawn per invocation, so the
// two do not stop together), an invocation hands its unfinished drains back once drains keep waiting in
// the queue: a drain handed over after both environments took their batches waits about a slice, not the
// two minutes a spot drain may run.
export const drainEventSource = {
  initialConcurrency: 2,
  maximumConcurrency: 2,
  batchSize: 1000,
  batchWindowSeconds: 1,
  sliceSeconds: 20,
} as const;
