import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { beforeAll, describe, expect, it } from "vitest";
import { autoScalingGroup, lifecycleCalls, pendingLifecycleAction } from "../../helpers/autoscaling.ts";

// moto lacks these two calls; the testbed adds them at the emulator's edge so our code sends the
// real SDK request and tests can read what arrived.
describe("Auto Scaling lifecycle calls at the emulator's edge", () => {
  const autoscaling = new AutoScalingClient({});
  const hook = "drain-hook";
  let group: string;

  beforeAll(async () => {
    group = await autoScalingGroup();
  });

  const complete = (token: string, result: "CONTINUE" | "ABANDON") =>
    autoscaling.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: group,
        LifecycleHookName: hook,
        LifecycleActionToken: token,
        LifecycleActionResult: result,
      }),
    );

  it("completes a pending lifecycle action and records the request", async () => {
    const token = await pendingLifecycleAction(group, hook, "i-0b662ef9931388ba0");
    await autoscaling.send(
      new RecordLifecycleActionHeartbeatCommand({
        AutoScalingGroupName: group,
        LifecycleHookName: hook,
        LifecycleActionToken: token,
      }),
    );
    await complete(token, "CONTINUE");

    const calls = await lifecycleCalls(token);
    expect(calls.map((c) => [c.action, c.outcome])).toEqual([
      ["RecordLifecycleActionHeartbeat", "success"],
      ["CompleteLifecycleAction", "success"],
    ]);
    expect(calls[1]?.params.LifecycleActionResult).toBe("CONTINUE");
  });

  it("rejects a second completion like AWS does", async () => {
    const token = await pendingLifecycleAction(group, hook, "i-0aaaaaaaaaaaaaaaa");
    await complete(token, "ABANDON");
    await expect(complete(token, "ABANDON")).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("No active Lifecycle Action found"),
    });
  });

  it("rejects a token AWS never issued", async () => {
    await expect(complete("00000000-0000-0000-0000-000000000000", "CONTINUE")).rejects.toMatchObject({
      name: "ValidationError",
    });
  });
});
