// An ASG scales in: one node per zone goes through its terminate lifecycle hook. Harbormaster drains the
// node, then completes the lifecycle action so the instance may terminate.

import { randomBytes } from "node:crypto";
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  PutLifecycleHookCommand,
} from "@aws-sdk/client-auto-scaling";
import { registerLifecycleAction } from "../../testbed/moto/lifecycle-actions.ts";
import { asgTerminateLifecycle } from "./aws-events.ts";
import { type ScenarioContext, type ScenarioResult, sleep } from "./context.ts";
import { interruptNodes, pickNodes } from "./interrupt.ts";

const hook = "drain-hook";

async function createGroup(zones: string[]): Promise<string> {
  const client = new AutoScalingClient({});
  const name = `general-spot-${randomBytes(3).toString("hex")}`;
  await client.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: name,
      ImageId: "ami-12c6146b",
      InstanceType: "m6i.xlarge",
    }),
  );
  await client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchConfigurationName: name,
      MinSize: 0,
      MaxSize: 20,
      AvailabilityZones: zones,
    }),
  );
  await client.send(
    new PutLifecycleHookCommand({
      AutoScalingGroupName: name,
      LifecycleHookName: hook,
      LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      HeartbeatTimeout: 300,
    }),
  );
  return name;
}

async function completed(awsEndpoint: string): Promise<Set<string>> {
  const response = await fetch(`${awsEndpoint}/_harbormaster/autoscaling/calls`);
  const calls = (await response.json()) as { action: string; outcome: string; params: Record<string, string> }[];
  return new Set(
    calls
      .filter((c) => c.action === "CompleteLifecycleAction" && c.outcome === "success")
      .map((c) => c.params.LifecycleActionToken ?? ""),
  );
}

export async function asgScaleIn(ctx: ScenarioContext): Promise<ScenarioResult> {
  const targets = await pickNodes(ctx, 1);
  const group = await createGroup([...new Set(targets.map((t) => t.zone))]);
  const tokens = new Map<string, string>();
  const sent = Date.now();
  const result = await interruptNodes(
    ctx,
    targets,
    async (list) => {
      for (const n of list)
        tokens.set(
          n.name,
          await registerLifecycleAction(ctx.info.awsEndpoint, { group, hook, instanceId: n.instanceId }),
        );
      await ctx.put(list.map((n) => asgTerminateLifecycle(n.instanceId, group, hook, tokens.get(n.name) ?? "")));
    },
    { replace: false, what: "terminate lifecycle" },
  );
  const done = new Map<string, number>();
  const deadline = Date.now() + 60_000;
  while (done.size < tokens.size && Date.now() < deadline) {
    const calls = await completed(ctx.info.awsEndpoint);
    for (const [name, token] of tokens) {
      if (calls.has(token) && !done.has(name)) {
        done.set(name, Date.now() - sent);
        await ctx.step("action", "harbormaster", `lifecycle action completed for ${name}: instance may terminate`);
      }
    }
    await sleep(200);
  }
  result.measurements.push({ name: "terminate lifecycle → action completed", samplesMs: [...done.values()] });
  result.facts.completed = [...done.keys()];
  return result;
}
