import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { autoScalingGroup, lifecycleCalls, pendingLifecycleAction } from "../../helpers/autoscaling.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import { createNamespace, createNode, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

// Dry run sends every write to the apiserver with dryRun=All: validated for real, applied never.
describe("dry run", () => {
  const { core } = kube();
  let namespace: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    namespace = await createNamespace(core, "dry-run");
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  it("reports what a drain would do and changes nothing: no cordon, no eviction, no lifecycle answer", async () => {
    const rig = await interruptionRig({ HARBORMASTER_DRY_RUN: "true" });
    const group = await autoScalingGroup();
    const selector = { "harbormaster.test/pool": uniqueName("dry") };
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, labels: selector });
    const name = node.metadata?.name ?? "";
    nodes.push(name);
    await workload(namespace, "app", 1, selector);
    const token = await pendingLifecycleAction(group, "drain-hook", instanceId);
    const event = eventFor(awsEvent("asg-lifecycle-terminate"), instanceId);
    Object.assign(event.detail as object, { LifecycleActionToken: token, AutoScalingGroupName: group });

    await rig.put(event);
    expect((await rig.poll()).failed).toEqual([]);

    const after = await core.readNode({ name });
    expect(after.spec?.unschedulable).toBeFalsy();
    expect(after.spec?.taints ?? []).toEqual([]);
    expect(after.metadata?.annotations?.["harbormaster.io/interruption"]).toBeUndefined();
    expect(await podsOnNode(name)).toHaveLength(1);
    expect(await lifecycleCalls(token)).toEqual([]);
    expect(rig.notifications.map((n) => n.type)).toEqual(["drain_started", "drain_completed"]);
    expect(rig.notifications.at(-1)).toMatchObject({ evicted: 1 }); // the apiserver accepted the eviction, dry
  });

  it("reports a budget that would block, once, and finishes the message instead of retrying it", async () => {
    const rig = await interruptionRig({ HARBORMASTER_DRY_RUN: "true" });
    const selector = { "harbormaster.test/pool": uniqueName("dry-blocked") };
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, labels: selector });
    nodes.push(node.metadata?.name ?? "");
    await workload(namespace, "guarded", 1, selector, 1);

    await rig.put(eventFor(awsEvent("spot-interruption"), instanceId));
    expect((await rig.poll()).failed).toEqual([]);
    expect((await rig.poll()).received).toEqual([]);
    expect(rig.notifications.map((n) => n.type)).toEqual(["drain_started", "drain_blocked", "drain_failed"]);
    expect(rig.notifications.at(-1)).toMatchObject({
      reason: "dry_run_blocked",
      blocked: [expect.objectContaining({ budgets: ["guarded"] })],
    });
  });
});
