// The EventBridge rules and queues of stacks/, created in the emulator from the same definitions the stack
// deploys: patterns and queue settings are imported, not copied.
import {
  CreateEventBusCommand,
  type EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Policy } from "../../functions/core/prescaling/policy.ts";
import { upgradeDetailType, upgradeSource } from "../../functions/core/upgrade/inbound-names.ts";
import { interruptionEventPatterns, interruptionQueueSettings } from "../../stacks/event-patterns.ts";
import { prescalingAlarmPattern, prescalingQueueSettings } from "../../stacks/prescaling-patterns.ts";
import { trafficEventPatterns } from "../../stacks/traffic-patterns.ts";

export interface Queue {
  url: string;
  arn: string;
}

export interface Routing {
  bus: string;
  interruptions: Queue;
  interruptionsDlq: Queue;
  /** The drain stage's queue, fed by the interruption function (stacks/interruptions.ts). */
  drains: Queue;
  prescaling: Queue;
  prescalingDlq: Queue;
  /** Stands in for the traffic function's EventBridge target: Lambda is invoked with each matched event. */
  traffic: Queue;
  rules: string[];
}

export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<Queue> {
  const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? "" };
}

/** `prefix` names this run's queues and rules; `bus` is the default bus unless a test wants its own. */
export async function createRouting(
  sqs: SQSClient,
  events: EventBridgeClient,
  prefix: string,
  policies: readonly Pick<Policy, "alarms">[],
  trafficAlarms: readonly string[],
  bus = "default",
) {
  if (bus !== "default") await events.send(new CreateEventBusCommand({ Name: bus }));
  const s = interruptionQueueSettings;
  const interruptionsDlq = await createQueue(sqs, `${prefix}-interruption-dlq`, {
    MessageRetentionPeriod: String(s.dlqRetentionSeconds),
  });
  const interruptions = await createQueue(sqs, `${prefix}-interruptions`, {
    VisibilityTimeout: String(s.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(s.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: interruptionsDlq.arn, maxReceiveCount: s.maxReceiveCount }),
  });
  const drains = await createQueue(sqs, `${prefix}-drains`, {
    VisibilityTimeout: String(s.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(s.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: interruptionsDlq.arn, maxReceiveCount: s.maxReceiveCount }),
  });
  const p = prescalingQueueSettings;
  const prescalingDlq = await createQueue(sqs, `${prefix}-prescaling-dlq`, {
    MessageRetentionPeriod: String(p.dlqRetentionSeconds),
  });
  const prescaling = await createQueue(sqs, `${prefix}-prescaling`, {
    VisibilityTimeout: String(p.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(p.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: prescalingDlq.arn, maxReceiveCount: p.maxReceiveCount }),
  });
  const rules: string[] = [];
  const route = async (name: string, pattern: object, queue: Queue) => {
    const rule = `${prefix}-${name}`.slice(0, 64);
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await events.send(
      new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "queue", Arn: queue.arn }] }),
    );
    rules.push(rule);
  };
  for (const [name, pattern] of Object.entries(interruptionEventPatterns))
    await route(`interruption-${name}`, pattern, interruptions);
  const alarmPattern = prescalingAlarmPattern(policies);
  if (alarmPattern) await route("prescaling-alarm", alarmPattern, prescaling);
  const traffic = await createQueue(sqs, `${prefix}-traffic`, { VisibilityTimeout: "60" });
  const trafficPatterns: Record<string, { source?: readonly string[] }> = trafficEventPatterns(trafficAlarms);
  for (const [name, pattern] of Object.entries(trafficPatterns)) await route(`traffic-${name}`, pattern, traffic);
  // The upgrade's custom event reaches the traffic function by the stack's own pattern once stacks/ has one;
  // until then by the contract's source and detail-type, never by both (that would deliver each event twice).
  if (!Object.values(trafficPatterns).some((p) => p.source?.includes(upgradeSource)))
    await route("traffic-upgrade", { source: [upgradeSource], "detail-type": [upgradeDetailType] }, traffic);
  return { bus, interruptions, interruptionsDlq, drains, prescaling, prescalingDlq, traffic, rules } satisfies Routing;
}

/** Puts events on the bus as AWS emits them (PutEvents takes at most ten entries per call). */
export async function putEvents(events: EventBridgeClient, bus: string, list: Record<string, unknown>[]) {
  for (let i = 0; i < list.length; i += 10) {
    const result = await events.send(
      new PutEventsCommand({
        Entries: list.slice(i, i + 10).map((event) => ({
          EventBusName: bus,
          Source: event.source as string,
          DetailType: event["detail-type"] as string,
          Detail: JSON.stringify(event.detail),
          Resources: event.resources as string[],
          Time: new Date(event.time as string),
        })),
      }),
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents: ${result.FailedEntryCount} entries failed`);
  }
}
