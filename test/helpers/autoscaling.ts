import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  PutLifecycleHookCommand,
} from "@aws-sdk/client-auto-scaling";
import { registerLifecycleAction } from "../testbed/moto/lifecycle-actions.ts";
import { endpoints, uniqueName } from "./testbed.ts";

export interface RecordedCall {
  action: "CompleteLifecycleAction" | "RecordLifecycleActionHeartbeat";
  params: Record<string, string>;
  outcome: "success" | "error";
  timestamp: string;
}

/** An ASG in the emulator with a terminate and a launch hook. */
export async function autoScalingGroup(heartbeatTimeout = 300) {
  const client = new AutoScalingClient({});
  const name = uniqueName("asg");
  const config = uniqueName("lc");
  await client.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: config,
      ImageId: "ami-12c6146b",
      InstanceType: "m6i.xlarge",
    }),
  );
  await client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchConfigurationName: config,
      MinSize: 0,
      MaxSize: 10,
      AvailabilityZones: ["us-east-2a"],
    }),
  );
  for (const [hook, transition] of [
    ["drain-hook", "autoscaling:EC2_INSTANCE_TERMINATING"],
    ["launch-hook", "autoscaling:EC2_INSTANCE_LAUNCHING"],
  ] as const) {
    await client.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: name,
        LifecycleHookName: hook,
        LifecycleTransition: transition,
        HeartbeatTimeout: heartbeatTimeout,
      }),
    );
  }
  return name;
}

/** Registers the lifecycle action AWS would have started (moto never starts one itself); returns its token. */
export function pendingLifecycleAction(group: string, hook: string, instanceId: string): Promise<string> {
  return registerLifecycleAction(endpoints().awsEndpoint, { group, hook, instanceId });
}

/** The lifecycle calls that reached the emulator for one token. */
export async function lifecycleCalls(token: string): Promise<RecordedCall[]> {
  const response = await fetch(`${endpoints().awsEndpoint}/_harbormaster/autoscaling/calls`);
  const calls = (await response.json()) as RecordedCall[];
  return calls.filter((c) => c.params.LifecycleActionToken === token);
}
