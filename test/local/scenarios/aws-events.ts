// Events in the shapes AWS emits them (see test/fixtures/aws-events.ts for the documented samples), for
// the local stack's instances, timed now.
import { randomUUID } from "node:crypto";

const account = "123456789012";
const region = "us-east-2";

function envelope(detailType: string, source: string, resources: string[], detail: object) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source,
    account,
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    region,
    resources,
    detail,
  };
}

/** The two-minute warning. Its ARN names the AZ and no account, as AWS's does. */
export function spotWarning(instanceId: string, zone: string) {
  return envelope("EC2 Spot Instance Interruption Warning", "aws.ec2", [`arn:aws:ec2:${zone}:instance/${instanceId}`], {
    "instance-id": instanceId,
    "instance-action": "terminate",
  });
}

export function asgTerminateLifecycle(instanceId: string, asgName: string, hookName: string, token: string) {
  return envelope(
    "EC2 Instance-terminate Lifecycle Action",
    "aws.autoscaling",
    [`arn:aws:autoscaling:${region}:${account}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${asgName}`],
    {
      LifecycleActionToken: token,
      AutoScalingGroupName: asgName,
      LifecycleHookName: hookName,
      EC2InstanceId: instanceId,
      LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      Origin: "AutoScalingGroup",
      Destination: "EC2",
    },
  );
}

/** AWS Health writes RFC 1123 times; the retirement starts days later. */
export function healthRetirement(instanceIds: string[], startsInMs: number) {
  const start = new Date(Date.now() + startsInMs);
  const end = new Date(start.getTime() + 2 * 60 * 60_000);
  const code = "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED";
  return envelope("AWS Health Event", "aws.health", instanceIds, {
    eventArn: `arn:aws:health:${region}::event/EC2/${code}/${code}_${randomUUID().slice(0, 8)}`,
    service: "EC2",
    eventTypeCode: code,
    eventTypeCategory: "scheduledChange",
    startTime: start.toUTCString(),
    endTime: end.toUTCString(),
    eventDescription: [{ language: "en_US", latestDescription: "Instance scheduled for retirement" }],
    affectedEntities: instanceIds.map((entityValue) => ({ entityValue, tags: {} })),
  });
}
