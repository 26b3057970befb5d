import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  PutLifecycleHookCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { beforeAll, describe, expect, it } from "vitest";
import { endpoints, uniqueName } from "../../helpers/testbed.ts";

interface RecordedCall {
  action: string;
  params: Record<string, string>;
  outcome: "success" | "error";
}

// moto lacks these two calls; the testbed adds them at the emulator's edge so our code sends the
// real SDK request and tests can read what arrived.
describe("Auto Scaling lifecycle calls at the emulator's edge", () => {
  const autoscaling = new AutoScalingClient({});
  const group = uniqueName("asg");
  const hook = "drain";

  async function control(path: string, body?: object) {
    const response = await fetch(`${endpoints().awsEndpoint}/_harbormaster/${path}`, {
      method: body ? "POST" : "GET",
      headers: { "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    return response.json() as Promise<unknown>;
  }

  beforeAll(async () => {
    const config = uniqueName("lc");
    await autoscaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: config,
        ImageId: "ami-12c6146b",
        InstanceType: "t3.micro",
      }),
    );
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: group,
        LaunchConfigurationName: config,
        MinSize: 0,
        MaxSize: 2,
        AvailabilityZones: ["us-east-2a"],
      }),
    );
    await autoscaling.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: group,
        LifecycleHookName: hook,
        LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        HeartbeatTimeout: 300,
      }),
    );
  });

  it("completes a pending lifecycle action and records the request", async () => {
    const action = (await control("autoscaling/lifecycle-actions", {
      autoScalingGroupName: group,
      lifecycleHookName: hook,
      region: process.env.AWS_REGION,
      instanceId: "i-0b662ef9931388ba0",
    })) as { token: string };

    await autoscaling.send(
      new RecordLifecycleActionHeartbeatCommand({
        AutoScalingGroupName: group,
        LifecycleHookName: hook,
        LifecycleActionToken: action.token,
      }),
    );
    await autoscaling.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: group,
        LifecycleHookName: hook,
        LifecycleActionToken: action.token,
        LifecycleActionResult: "CONTINUE",
      }),
    );

    const calls = (await control("autoscaling/calls")) as RecordedCall[];
    const ours = calls.filter((c) => c.params.LifecycleActionToken === action.token);
    expect(ours.map((c) => [c.action, c.outcome])).toEqual([
      ["RecordLifecycleActionHeartbeat", "success"],
      ["CompleteLifecycleAction", "success"],
    ]);
    expect(ours[1]?.params.LifecycleActionResult).toBe("CONTINUE");
  });

  it("rejects a second completion like AWS does", async () => {
    const action = (await control("autoscaling/lifecycle-actions", {
      autoScalingGroupName: group,
      lifecycleHookName: hook,
      region: process.env.AWS_REGION,
      instanceId: "i-0aaaaaaaaaaaaaaaa",
    })) as { token: string };
    const complete = () =>
      autoscaling.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: group,
          LifecycleHookName: hook,
          LifecycleActionToken: action.token,
          LifecycleActionResult: "ABANDON",
        }),
      );
    await complete();
    await expect(complete()).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("No active Lifecycle Action found"),
    });
  });
});
