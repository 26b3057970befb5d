// SNS delivers to SQS in this envelope unless the subscription has raw message delivery on. An ASG lifecycle
// hook whose notification target is a topic, and an EventBridge rule whose target is a topic, both arrive so:
// {"Type":"Notification","MessageId":"9f6bd5d2-…","TopicArn":"arn:aws:sns:us-east-2:123456789012:asg-hooks",
//  "Subject":"Auto Scaling:  Lifecycle action 'TERMINATING' for instance i-0b662ef9931388ba0 in progress.",
//  "Message":"{\"Origin\":\"AutoScalingGroup\",\"LifecycleHookName\":\"drain-hook\",…,\"EC2InstanceId\":…}",
//  "Timestamp":"2025-03-01T12:00:05.291Z","SignatureVersion":"1","Signature":"…","SigningCertURL":"…",
//  "UnsubscribeURL":"…"}
// With raw delivery the body is the Message itself, which the registry reads as it is.

export type SnsUnwrapped =
  | { outcome: "not_sns" }
  | { outcome: "message"; message: Record<string, unknown> }
  | { outcome: "confirmation"; reason: string }
  | { outcome: "malformed"; error: string };

/** The message an SNS envelope carries, parsed; `not_sns` for a body that is no envelope. */
export function unwrapSns(json: Record<string, unknown>): SnsUnwrapped {
  if (typeof json.Type !== "string" || typeof json.TopicArn !== "string") return { outcome: "not_sns" };
  const topic = json.TopicArn;
  // Sent once when a subscription is made or removed; it carries no event.
  if (json.Type === "SubscriptionConfirmation" || json.Type === "UnsubscribeConfirmation")
    return { outcome: "confirmation", reason: `SNS ${json.Type} from ${topic}` };
  if (json.Type !== "Notification") return malformed(`SNS message of unknown Type "${json.Type}" from ${topic}`);
  if (typeof json.Message !== "string") return malformed(`SNS notification from ${topic} has no Message`);
  let message: unknown;
  try {
    message = JSON.parse(json.Message);
  } catch {
    return malformed(`the Message of an SNS notification from ${topic} is not JSON`);
  }
  if (typeof message !== "object" || message === null || Array.isArray(message))
    return malformed(`the Message of an SNS notification from ${topic} is not a JSON object`);
  return { outcome: "message", message: message as Record<string, unknown> };
}

function malformed(error: string): SnsUnwrapped {
  return { outcome: "malformed", error };
}
