import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { interruptionEventPatterns } from "../../../stacks/event-patterns.ts";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { uniqueName } from "../../helpers/testbed.ts";

// EventBridge in the emulator really matches the deployed pattern and delivers into SQS.
describe("EventBridge to SQS in the AWS emulator", () => {
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});

  async function queueWithRule(pattern: object) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("interruptions") }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const rule = uniqueName("spot");
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify(pattern) }));
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: "queue", Arn: Attributes?.QueueArn }] }));
    return QueueUrl as string;
  }

  async function put(event: Record<string, unknown>) {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: event.source as string,
            DetailType: event["detail-type"] as string,
            Detail: JSON.stringify(event.detail),
            Resources: event.resources as string[],
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
    return (Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}") as Record<string, unknown>);
  }

  it("delivers a spot interruption warning through the spot rule", async () => {
    const queueUrl = await queueWithRule(interruptionEventPatterns.spotInterruption);
    const spot = awsEvent("spot-interruption");
    await put(spot);

    const [delivered, ...rest] = await receive(queueUrl);
    expect(rest).toHaveLength(0);
    expect(delivered?.["detail-type"]).toBe("EC2 Spot Instance Interruption Warning");
    expect(delivered?.source).toBe("aws.ec2");
    expect(delivered?.detail).toEqual(spot.detail);
  });

  it.each([
    ["rebalanceRecommendation", "rebalance-recommendation"],
    ["instanceStateChange", "state-change-shutting-down"],
    ["asgLifecycle", "asg-lifecycle-terminate"],
    ["asgLifecycle", "asg-lifecycle-launch"],
    ["scheduledChange", "health-scheduled-change"],
  ] as const)("delivers through the %s rule the sample %s", async (rule, fixture) => {
    const queueUrl = await queueWithRule(interruptionEventPatterns[rule]);
    const event = awsEvent(fixture);
    await put(event);
    const [delivered] = await receive(queueUrl);
    expect(delivered?.detail).toEqual(event.detail);
  });

  it("does not deliver an event the pattern does not match", async () => {
    const queueUrl = await queueWithRule(interruptionEventPatterns.spotInterruption);
    await put(awsEvent("rebalance-recommendation"));
    expect(await receive(queueUrl)).toHaveLength(0);
  });
});
