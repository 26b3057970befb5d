// One rule set per region: EventBridge cannot scope EC2, ASG or Health events to a cluster, so every
// group of the region receives every event, each group's queue as one more target of the same rules, and
// each group's function keeps the events of its own clusters (stacks/cluster-groups.ts).
import type { RegionPlan } from "./cluster-groups.ts";
import { interruptionEventPatterns } from "./event-patterns.ts";
import { eventBridgeSendPolicy } from "./iam.ts";
import { pascal } from "./naming.ts";
import type { RegionOptions } from "./regions.ts";

export interface GroupQueue {
  /** The group's id (stacks/cluster-groups.ts): the suffix of its targets' and queue policy's names. */
  id: string;
  queue: sst.aws.Queue;
}

export function interruptionRules(region: RegionPlan, queues: readonly GroupQueue[], opts: RegionOptions) {
  const rules = Object.entries(interruptionEventPatterns).map(([name, pattern]) => {
    const rule = new aws.cloudwatch.EventRule(
      `Interruption${pascal(name)}Rule${region.id}`,
      { eventPattern: JSON.stringify(pattern) },
      opts,
    );
    for (const { id, queue } of queues) {
      new aws.cloudwatch.EventTarget(
        `Interruption${pascal(name)}Target${id}`,
        { rule: rule.name, arn: queue.arn },
        opts,
      );
    }
    return rule;
  });
  for (const { id, queue } of queues) {
    new aws.sqs.QueuePolicy(
      `InterruptionQueuePolicy${id}`,
      {
        queueUrl: queue.url,
        // Only this app's rules: a rule in another account must not inject interruptions.
        policy: $jsonStringify(
          eventBridgeSendPolicy(
            queue.arn,
            rules.map((rule) => rule.arn),
          ),
        ),
      },
      opts,
    );
  }
  return rules;
}
