import { interruptionEventPatterns, interruptionQueueSettings } from "./event-patterns.ts";

// The queue EventBridge and ASG lifecycle hooks deliver into. A DLQ keeps what the handler
// could not process so nothing is lost silently.
export function interruptionQueue() {
  const dlq = new sst.aws.Queue("InterruptionDlq", {
    transform: {
      queue: { messageRetentionSeconds: interruptionQueueSettings.dlqRetentionSeconds },
    },
  });
  const queue = new sst.aws.Queue("InterruptionQueue", {
    visibilityTimeout: `${interruptionQueueSettings.visibilityTimeoutSeconds} seconds`,
    dlq: { queue: dlq.arn, retry: interruptionQueueSettings.maxReceiveCount },
    transform: {
      queue: { messageRetentionSeconds: interruptionQueueSettings.retentionSeconds },
    },
  });

  for (const [name, pattern] of Object.entries(interruptionEventPatterns)) {
    const rule = new aws.cloudwatch.EventRule(`Interruption${pascal(name)}Rule`, {
      eventPattern: JSON.stringify(pattern),
    });
    new aws.cloudwatch.EventTarget(`Interruption${pascal(name)}Target`, {
      rule: rule.name,
      arn: queue.arn,
    });
  }

  new aws.sqs.QueuePolicy("InterruptionQueuePolicy", {
    queueUrl: queue.url,
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
          Action: "sqs:SendMessage",
          Resource: queue.arn,
        },
      ],
    }),
  });

  return { queue, dlq };
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
