import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { controlDetailType, controlSource, deploySource } from "../../../functions/core/traffic/inbound.ts";
import { upgradeDetailType, upgradeSource } from "../../../functions/core/upgrade/inbound-names.ts";
import { prescalingAlarmPattern } from "../../../stacks/prescaling-patterns.ts";
import { trafficEventPatterns, upgradeEventPattern } from "../../../stacks/traffic-patterns.ts";
import { alarmStateChange } from "../../fixtures/prescaling-events.ts";
import { uniqueName } from "../../helpers/testbed.ts";

// The deployed alarm-state and deploy-event patterns, matched by EventBridge in the emulator against
// sample events. Each test has its own bus, so events other test files put on the default bus stay out.
describe("alarm state change and deploy event patterns in the AWS emulator", () => {
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});

  async function busWithRule(pattern: object) {
    const bus = uniqueName("patterns");
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("patterns") }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const rule = uniqueName("rule");
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await events.send(
      new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "queue", Arn: Attributes?.QueueArn }] }),
    );
    return { bus, queueUrl: QueueUrl as string };
  }

  async function put(bus: string, event: { source: string; "detail-type": string; detail: unknown }) {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: event.source,
            DetailType: event["detail-type"],
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
  }

  async function receive(queueUrl: string) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    return (Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}") as { detail: Record<string, unknown> });
  }

  it("routes only ALARM of the configured alarms to the traffic rule", async () => {
    const alarm = uniqueName("latency");
    const { bus, queueUrl } = await busWithRule(trafficEventPatterns([alarm]).alarmStateChange);
    await put(bus, alarmStateChange(alarm, "OK"));
    await put(bus, alarmStateChange(`${alarm}-other`, "ALARM"));
    await put(bus, alarmStateChange(alarm, "ALARM"));
    const delivered = await receive(queueUrl);
    expect(delivered.map((e) => [e.detail.alarmName, (e.detail.state as { value: string }).value])).toEqual([
      [alarm, "ALARM"],
    ]);
  });

  it("routes ALARM and OK, but not INSUFFICIENT_DATA, to the pre-scaling rule", async () => {
    const alarm = uniqueName("p99");
    const pattern = prescalingAlarmPattern([{ alarms: [alarm] }]);
    if (!pattern) throw new Error("no pattern for a policy with an alarm");
    const { bus, queueUrl } = await busWithRule(pattern);
    for (const value of ["INSUFFICIENT_DATA", "ALARM", "OK"] as const) await put(bus, alarmStateChange(alarm, value));
    const delivered = [...(await receive(queueUrl)), ...(await receive(queueUrl))];
    expect(delivered.map((e) => (e.detail.state as { value: string }).value).sort()).toEqual(["ALARM", "OK"]);
  });

  it.each(["Deployment Started", "Deployment Succeeded", "Deployment Failed"])(
    "routes a %s deploy event to the deploy rule",
    async (detailType) => {
      const { bus, queueUrl } = await busWithRule(trafficEventPatterns([]).deploy);
      const detail = { application: "checkout", revision: "abc123", origin: "github", deliveryId: uniqueName("d") };
      await put(bus, { source: deploySource, "detail-type": detailType, detail });
      const [delivered] = await receive(queueUrl);
      expect(delivered?.detail).toEqual(detail);
    },
  );

  it("keeps control events and other sources out of the deploy rule", async () => {
    const { bus, queueUrl } = await busWithRule(trafficEventPatterns([]).deploy);
    await put(bus, {
      source: controlSource,
      "detail-type": controlDetailType,
      detail: { domain: "d", action: "pause" },
    });
    await put(bus, { source: "someone.else", "detail-type": "Deployment Succeeded", detail: { application: "x" } });
    expect(await receive(queueUrl)).toEqual([]);
  });

  it("routes a control event to the control rule", async () => {
    const { bus, queueUrl } = await busWithRule(trafficEventPatterns([]).control);
    const detail = { domain: "checkout", action: "pause", actor: "U123" };
    await put(bus, { source: controlSource, "detail-type": controlDetailType, detail });
    const [delivered] = await receive(queueUrl);
    expect(delivered?.detail).toEqual(detail);
  });

  it("routes a Cluster Upgrade event, detail whole, to the upgrade rule", async () => {
    const { bus, queueUrl } = await busWithRule(upgradeEventPattern);
    const detail = { upgrade: "prod-1-31", action: "start", actor: "slack:U123", reason: "requested from Slack" };
    await put(bus, { source: upgradeSource, "detail-type": upgradeDetailType, detail });
    const delivered = await receive(queueUrl);
    expect(delivered.map((e) => e.detail)).toEqual([detail]);
  });

  it("keeps control, deploy and look-alike events out of the upgrade rule", async () => {
    const { bus, queueUrl } = await busWithRule(upgradeEventPattern);
    const detail = { upgrade: "prod-1-31", action: "start" };
    await put(bus, {
      source: controlSource,
      "detail-type": controlDetailType,
      detail: { domain: "d", action: "pause" },
    });
    await put(bus, {
      source: deploySource,
      "detail-type": "Deployment Succeeded",
      detail: { application: "adserver" },
    });
    await put(bus, { source: upgradeSource, "detail-type": "Traffic Control", detail });
    await put(bus, { source: "someone.else", "detail-type": upgradeDetailType, detail });
    expect(await receive(queueUrl)).toEqual([]);
  });

  it("keeps upgrade events out of the control and deploy rules", async () => {
    const control = await busWithRule(trafficEventPatterns([]).control);
    const deploy = await busWithRule(trafficEventPatterns([]).deploy);
    const event = {
      source: upgradeSource,
      "detail-type": upgradeDetailType,
      detail: { upgrade: "u", action: "start" },
    };
    await put(control.bus, event);
    await put(deploy.bus, event);
    expect([...(await receive(control.queueUrl)), ...(await receive(deploy.queueUrl))]).toEqual([]);
  });
});
