import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InterruptionNotification } from "../../../functions/core/notifications.ts";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { autoScalingGroup, lifecycleCalls, pendingLifecycleAction } from "../../helpers/autoscaling.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import { createNamespace, createNode, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

// A budget that allows no disruption, one pod on one node: every policy meets a real 429 from the apiserver.
describe("drains a PodDisruptionBudget blocks", () => {
  const { core, policy } = kube();
  let namespace: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    namespace = await createNamespace(core, "policies");
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  async function blockedNode(app: string) {
    const selector = { "harbormaster.test/pool": uniqueName(app) };
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, labels: selector });
    const name = node.metadata?.name ?? "";
    nodes.push(name);
    await workload(namespace, app, 1, selector, 1);
    return { instanceId, name };
  }

  const ofInstance = (notifications: InterruptionNotification[], instanceId: string) =>
    notifications.filter((n) => n.instanceId === instanceId);

  it("names the blocking budget and pod, keeps waiting, and finishes once the budget allows it", async () => {
    const rig = await interruptionRig();
    const { instanceId, name } = await blockedNode("waits");
    await rig.put(eventFor(awsEvent("spot-interruption"), instanceId));

    const first = await rig.poll({ remainingMs: 33_000 }); // pauses after about 3 s
    expect(first.failed).toHaveLength(1);
    const blocked = ofInstance(rig.notifications, instanceId).find((n) => n.type === "drain_blocked");
    expect(blocked).toMatchObject({
      type: "drain_blocked",
      blocked: [expect.objectContaining({ namespace, budgets: ["waits"], name: expect.stringMatching(/^waits-/) })],
    });
    const state = JSON.parse(
      (await core.readNode({ name })).metadata?.annotations?.["harbormaster.io/interruption"] ?? "{}",
    );
    expect(state).toMatchObject({
      phase: "draining",
      remaining: 1,
      blocked: [expect.stringContaining(`${namespace}/waits-`)],
    });

    await policy.patchNamespacedPodDisruptionBudget({
      name: "waits",
      namespace,
      body: [{ op: "replace", path: "/spec/minAvailable", value: 0 }],
    });
    for (let i = 0; i < 10 && (await rig.poll({ waitSeconds: 2 })).received.length > 0; i++);
    expect(await podsOnNode(name)).toHaveLength(0);
    expect(ofInstance(rig.notifications, instanceId).map((n) => n.type)).toEqual([
      "drain_started",
      "drain_blocked",
      "drain_completed",
    ]);
  });

  it("hands a long drain to a fresh copy of its message before the queue would dead-letter it", async () => {
    // The handler is told the queue dead-letters on the second receive, so the first pause already hands over.
    const rig = await interruptionRig({ HARBORMASTER_MAX_RECEIVE_COUNT: "2" });
    const { instanceId, name } = await blockedNode("long");
    await rig.put(eventFor(awsEvent("spot-interruption"), instanceId));

    const first = await rig.poll({ remainingMs: 33_000 });
    expect(first.received).toHaveLength(1);
    expect(first.failed).toEqual([]); // done with this copy: Lambda deletes it
    const { Messages: copies = [] } = await rig.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: rig.queue.url,
        WaitTimeSeconds: 5,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        VisibilityTimeout: 0,
      }),
    );
    expect(copies).toHaveLength(1);
    expect(copies[0]?.MessageId).not.toBe(first.received[0]);
    expect(copies[0]?.Attributes?.ApproximateReceiveCount).toBe("1");
    expect(copies[0]?.MessageAttributes?.["source-message-id"]?.StringValue).toBe(first.received[0]);

    await policy.patchNamespacedPodDisruptionBudget({
      name: "long",
      namespace,
      body: [{ op: "replace", path: "/spec/minAvailable", value: 0 }],
    });
    for (let i = 0; i < 10 && (await rig.poll({ waitSeconds: 2 })).received.length > 0; i++);
    expect(await podsOnNode(name)).toHaveLength(0);
    expect(await rig.dlqMessages()).toEqual([]);
    expect(ofInstance(rig.notifications, instanceId).map((n) => n.type)).toEqual([
      "drain_started",
      "drain_blocked",
      "drain_completed",
    ]);
  });

  it("force: deletes the blocked pod once the allowance has passed, within the deadline", async () => {
    const rig = await interruptionRig({
      HARBORMASTER_DRAIN_POLICY: JSON.stringify({ onBlocked: "force", blockedAllowanceMs: 1_000 }),
    });
    const { instanceId, name } = await blockedNode("forced");
    await rig.put(eventFor(awsEvent("spot-interruption"), instanceId));
    const { failed } = await rig.poll();
    expect(failed).toEqual([]);
    expect(await podsOnNode(name)).toHaveLength(0);
    const done = ofInstance(rig.notifications, instanceId).find((n) => n.type === "drain_completed");
    expect(done).toMatchObject({ evicted: 0, forced: 1 });
  });

  it("give_up: stops after the allowance, reports the blocker and abandons the lifecycle action", async () => {
    const rig = await interruptionRig({
      HARBORMASTER_DRAIN_POLICY: JSON.stringify({
        onBlocked: "give_up",
        blockedAllowanceMs: 1_000,
        lifecycleOnFailure: "ABANDON",
      }),
    });
    const group = await autoScalingGroup();
    const { instanceId, name } = await blockedNode("gives-up");
    const token = await pendingLifecycleAction(group, "drain-hook", instanceId);
    const event = eventFor(awsEvent("asg-lifecycle-terminate"), instanceId);
    Object.assign(event.detail as object, { LifecycleActionToken: token, AutoScalingGroupName: group });
    await rig.put(event);
    const { failed } = await rig.poll();
    expect(failed).toEqual([]);
    expect(await podsOnNode(name)).toHaveLength(1);
    const failure = ofInstance(rig.notifications, instanceId).find((n) => n.type === "drain_failed");
    expect(failure).toMatchObject({ reason: "gave_up", blocked: [expect.objectContaining({ budgets: ["gives-up"] })] });
    expect((await lifecycleCalls(token)).at(-1)?.params.LifecycleActionResult).toBe("ABANDON");
  });

  it("wait: keeps trying until the spot deadline, then reports what blocked", async () => {
    const rig = await interruptionRig({ HARBORMASTER_DEADLINES: JSON.stringify({ marginMs: 15_000 }) });
    const { instanceId, name } = await blockedNode("deadline");
    // Issued 101 s ago: 120 s of warning minus a 15 s margin leaves about 4 s.
    await rig.put(eventFor(awsEvent("spot-interruption"), instanceId, 101_000));
    const { failed } = await rig.poll({ remainingMs: 80_000 });
    expect(failed).toEqual([]);
    expect(await podsOnNode(name)).toHaveLength(1);
    const failure = ofInstance(rig.notifications, instanceId).find((n) => n.type === "drain_failed");
    expect(failure).toMatchObject({
      reason: "deadline",
      blocked: [expect.objectContaining({ budgets: ["deadline"] })],
    });
  });
});
