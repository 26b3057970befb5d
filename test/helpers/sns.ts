import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
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
