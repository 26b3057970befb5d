// EventBridge form (a direct SQS notification carries the same fields at the top level, without "detail"):
// {"version":"0","id":"782d5b4c-0f6f-1fd6-9d62-ecf6aed0a470","detail-type":"EC2 Instance-terminate Lifecycle Action",
//  "source":"aws.autoscaling","account":"123456789012","time":"2025-03-01T12:00:05Z","region":"us-east-2",
//  "resources":["arn:aws:autoscaling:us-east-2:123456789012:autoScalingGroup:…:autoScalingGroupName/my-asg"],
//  "detail":{"LifecycleActionToken":"0befcbdb-6ecd-498a-9ff7-ae9b54447cd6","AutoScalingGroupName":"my-asg",
//   "LifecycleHookName":"drain-hook","EC2InstanceId":"i-0b662ef9931388ba0",
//   "LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING","Origin":"AutoScalingGroup","Destination":"EC2"}}
import type * as z from "../zod.ts";
import { Kind } from "./kinds.ts";
import type { InterruptionMessage } from "./message.ts";
import type { EventParser } from "./parser.ts";
import { envelopeBase, lifecycleFields } from "./schema.ts";

type LifecycleFields = z.infer<typeof lifecycleFields>;

export function lifecycleMessage(
  fields: LifecycleFields,
  base: Pick<InterruptionMessage, "eventId" | "eventTime" | "region" | "account">,
): InterruptionMessage {
  const terminating = fields.LifecycleTransition === "autoscaling:EC2_INSTANCE_TERMINATING";
  return {
    kind: terminating ? Kind.TerminateLifecycle : Kind.LaunchLifecycle,
    instanceId: fields.EC2InstanceId,
    ...base,
    lifecycle: {
      groupName: fields.AutoScalingGroupName,
      hookName: fields.LifecycleHookName,
      token: fields.LifecycleActionToken,
      transition: fields.LifecycleTransition,
      origin: fields.Origin,
      destination: fields.Destination,
    },
  };
}

function parser(detailType: string): EventParser {
  return {
    source: "aws.autoscaling",
    detailType,
    parse: (event) => [lifecycleMessage(lifecycleFields.parse(event.detail), envelopeBase(event))],
  };
}

export const terminateLifecycle = parser("EC2 Instance-terminate Lifecycle Action");
export const launchLifecycle = parser("EC2 Instance-launch Lifecycle Action");
