import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { interruptionEventPatterns } from "../../stacks/event-patterns.ts";
import { putEvent } from "./interruptions.ts";
import { uniqueName } from "./testbed.ts";

/**
 * A real SNS topic in the emulator with the queue subscribed, with or without raw message delivery: SNS
 * itself wraps (or does not wrap) what is published, as it does for an ASG hook's or a rule's target.
 */
export async function snsTopicTo(queueArn: string, rawDelivery: boolean) {
  const sns = new SNSClient({});
  const { TopicArn = "" } = await sns.send(new CreateTopicCommand({ Name: uniqueName("asg-hooks") }));
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: String(rawDelivery) },
    }),
  );
  return {
    topicArn: TopicArn,
    /** A bus of its own whose rules (the deployed patterns) target the topic; returns how to put an event on it. */
    async fromEventBridge() {
      const events = new EventBridgeClient({});
      const bus = uniqueName("bus");
      await events.send(new CreateEventBusCommand({ Name: bus }));
      for (const [name, pattern] of Object.entries(interruptionEventPatterns)) {
        const rule = uniqueName(name);
        await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
        await events.send(
          new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "topic", Arn: TopicArn }] }),
        );
      }
      return (event: Record<string, unknown>) => putEvent(events, bus, event);
    },
    /** Publishes as ASG or EventBridge does: the notification's JSON (or any text) as the Message. */
    async publish(message: string | object, subject?: string) {
      await sns.send(
        new PublishCommand({
          TopicArn,
          Subject: subject,
          Message: typeof message === "string" ? message : JSON.stringify(message),
        }),
      );
    },
  };
}
