import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createPrescalingHandler } from "../../functions/adapters/prescaling/wiring.ts";
import type { Clock } from "../../functions/core/ports.ts";
import type { PrescalingNotification } from "../../functions/core/prescaling/notifications.ts";
import { prescalingAlarmPattern } from "../../stacks/prescaling-patterns.ts";
import { cloudWatchTimestamp, sweepInput, windowInput } from "../fixtures/prescaling-events.ts";
import type { PolicyInput } from "../fixtures/prescaling-policies.ts";
import { pollOnce } from "./lambda.ts";
import { endpoints, uniqueName } from "./testbed.ts";

/** Time as the handler sees it; a test moves it forward to reach a cooldown or an expiry at once. */
export class MovableClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * A private copy of the deployed routing for one test file: its own bus with the stack's alarm rule, a
 * queue, real CloudWatch alarms in the emulator, and the handler as Lambda would run it.
 */
export async function prescalingRig(policies: PolicyInput[], settings: Record<string, string> = {}) {
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});
  const cloudwatch = new CloudWatchClient({});
  const bus = uniqueName("prescaling-bus");
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({ QueueName: uniqueName("prescaling"), Attributes: { VisibilityTimeout: "30" } }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const queueArn = Attributes?.QueueArn ?? "";
  const pattern = prescalingAlarmPattern(policies.map((p) => ({ alarms: p.alarms ?? [] })));
  if (pattern) {
    const rule = uniqueName("alarms");
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await events.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "q", Arn: queueArn }] }));
  }
  for (const name of new Set(policies.flatMap((p) => p.alarms ?? []))) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: "Harbormaster/Test",
        MetricName: "LatencyP99",
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 50,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
  }

  const notifications: PrescalingNotification[] = [];
  const clock = new MovableClock();
  const handler = createPrescalingHandler(
    {
      AWS_REGION: process.env.AWS_REGION,
      // Named as the Slack rig names the testbed, so a `scale` from Slack reaches it.
      HARBORMASTER_CLUSTERS: JSON.stringify({
        testbed: { eksCluster: "testbed", kubeconfig: endpoints().kubeconfigPath },
      }),
      HARBORMASTER_PRESCALING_POLICIES: JSON.stringify(policies),
      ...settings,
    },
    { notifier: { publish: async (n) => void notifications.push(n as PrescalingNotification) }, clock },
  );

  async function send(body: object) {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(body) }));
  }

  return {
    sqs,
    /** Where Slack's `scale` and `headroom` commands are sent, as the deployed queue receives them. */
    queueUrl: QueueUrl,
    clock,
    handler,
    notifications,
    /**
     * Sets the alarm's state in CloudWatch, then puts the state change on the bus as AWS would emit it:
     * the emulator's SetAlarmState does not emit the event itself.
     */
    async setAlarm(name: string, value: "ALARM" | "OK") {
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: value, StateReason: "test" }));
      await putAlarmEvent(name);
    },
    /** Changes the alarm in CloudWatch only: its state change event is lost. */
    async setAlarmState(name: string, value: "ALARM" | "OK") {
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: value, StateReason: "test" }));
    },
    /** Re-emits the alarm's last state change: a duplicate delivery. */
    putAlarmEvent,
    async window(policy: string, window: string) {
      await send(windowInput(policy, window));
    },
    async sweep() {
      await send(sweepInput);
      return this.poll();
    },
    /** Receives and handles what is queued, as the event source mapping would, until the queue is empty. */
    async poll() {
      const failed: string[] = [];
      for (;;) {
        const result = await pollOnce(sqs, QueueUrl, queueArn, handler, { waitSeconds: 1 });
        failed.push(...result.failed);
        if (result.received.length === 0) return { failed };
      }
    },
    ofType<T extends PrescalingNotification["type"]>(type: T) {
      return notifications.filter((n): n is Extract<PrescalingNotification, { type: T }> => n.type === type);
    },
  };

  async function putAlarmEvent(name: string) {
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    const alarm = MetricAlarms[0];
    if (!alarm?.StateValue || !alarm.StateUpdatedTimestamp) throw new Error(`alarm ${name} not found`);
    const at = alarm.StateUpdatedTimestamp;
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: "aws.cloudwatch",
            DetailType: "CloudWatch Alarm State Change",
            Resources: [alarm.AlarmArn ?? ""],
            Time: at,
            Detail: JSON.stringify({
              alarmName: name,
              state: { value: alarm.StateValue, reason: alarm.StateReason, timestamp: cloudWatchTimestamp(at) },
              previousState: { value: alarm.StateValue === "ALARM" ? "OK" : "ALARM" },
            }),
          },
        ],
      }),
    );
    if (result.FailedEntryCount) throw new Error("PutEvents failed");
  }
}

export type PrescalingRig = Awaited<ReturnType<typeof prescalingRig>>;
