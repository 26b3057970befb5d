import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { autoScalingGroup, lifecycleCalls, pendingLifecycleAction } from "../../helpers/autoscaling.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import { createNamespace, createNode, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

describe("ASG lifecycle hooks", () => {
  const { core } = kube();
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  let namespace: string;
  let group: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    rig = await interruptionRig({ HARBORMASTER_DEADLINES: JSON.stringify({ lifecycleDrainMs: 60_000 }) });
    namespace = await createNamespace(core, "lifecycle");
    group = await autoScalingGroup();
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  async function nodeWithPods(app: string) {
    const selector = { "harbormaster.test/pool": uniqueName(app) };
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, labels: selector });
    const name = node.metadata?.name ?? "";
    nodes.push(name);
    await workload(namespace, app, 1, selector);
    return { instanceId, name };
  }

  function lifecycleEvent(
    fixture: "asg-lifecycle-terminate" | "asg-lifecycle-launch",
    instanceId: string,
    token: string,
    detail: object = {},
  ) {
    const event = eventFor(awsEvent(fixture), instanceId);
    Object.assign(event.detail as object, {
      EC2InstanceId: instanceId,
      LifecycleActionToken: token,
      AutoScalingGroupName: group,
      ...detail,
    });
    return event;
  }

  const completions = async (token: string) =>
    (await lifecycleCalls(token)).filter((c) => c.action === "CompleteLifecycleAction");

  async function pollUntilEmpty() {
    for (let i = 0; i < 30; i++) if ((await rig.poll()).received.length === 0) return;
    throw new Error("queue did not empty");
  }

  it("drains on a terminate hook, heartbeats while draining, then completes with CONTINUE and stops heartbeating", async () => {
    const { instanceId, name } = await nodeWithPods("terminate");
    const token = await pendingLifecycleAction(group, "drain-hook", instanceId);
    await rig.put(lifecycleEvent("asg-lifecycle-terminate", instanceId, token));
    await pollUntilEmpty();

    expect(await podsOnNode(name)).toHaveLength(0);
    const calls = await lifecycleCalls(token);
    expect(calls.every((c) => c.outcome === "success")).toBe(true);
    expect(calls[0]?.action).toBe("RecordLifecycleActionHeartbeat");
    expect(calls.at(-1)).toMatchObject({
      action: "CompleteLifecycleAction",
      params: {
        LifecycleActionResult: "CONTINUE",
        AutoScalingGroupName: group,
        LifecycleHookName: "drain-hook",
        InstanceId: instanceId,
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two heartbeat intervals
    expect(await lifecycleCalls(token)).toHaveLength(calls.length);
  });

  it("handles a terminate notification sent straight to SQS", async () => {
    const { instanceId, name } = await nodeWithPods("direct");
    const token = await pendingLifecycleAction(group, "drain-hook", instanceId);
    const body = {
      ...awsEvent("asg-direct-to-sqs-terminate"),
      EC2InstanceId: instanceId,
      LifecycleActionToken: token,
      AutoScalingGroupName: group,
      RequestId: crypto.randomUUID(),
      Time: new Date().toISOString(),
    };
    await rig.send(body);
    await pollUntilEmpty();
    expect(await podsOnNode(name)).toHaveLength(0);
    expect((await lifecycleCalls(token)).at(-1)?.params.LifecycleActionResult).toBe("CONTINUE");
  });

  it("answers a launch hook with CONTINUE once the node is Ready", async () => {
    const { instanceId } = await nodeWithPods("launch");
    const token = await pendingLifecycleAction(group, "launch-hook", instanceId);
    await rig.put(lifecycleEvent("asg-lifecycle-launch", instanceId, token, { LifecycleHookName: "launch-hook" }));
    await pollUntilEmpty();
    expect((await completions(token)).map((c) => c.params.LifecycleActionResult)).toEqual(["CONTINUE"]);
  });

  it("waits for a launching instance's node, retrying the message, and continues when it is Ready", async () => {
    const instanceId = randomInstanceId();
    const token = await pendingLifecycleAction(group, "launch-hook", instanceId);
    await rig.put(lifecycleEvent("asg-lifecycle-launch", instanceId, token, { LifecycleHookName: "launch-hook" }));
    const first = await rig.poll({ remainingMs: 32_000 }); // waits about 2 s, then hands over
    expect(first.failed).toHaveLength(1);
    // Waiting keeps the hook alive with heartbeats; nothing is answered yet.
    const waiting = await lifecycleCalls(token);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((c) => c.action === "RecordLifecycleActionHeartbeat")).toBe(true);

    const invocation = rig.poll({ remainingMs: 60_000, waitSeconds: 10 }); // picks the message up after its delay
    const node = await createNode(core, { instanceId });
    nodes.push(node.metadata?.name ?? "");
    expect((await invocation).failed).toEqual([]);
    expect((await lifecycleCalls(token)).at(-1)?.params.LifecycleActionResult).toBe("CONTINUE");
  });

  it("continues a launch into a warm pool at once: that instance never joins the cluster", async () => {
    const instanceId = randomInstanceId();
    const token = await pendingLifecycleAction(group, "launch-hook", instanceId);
    await rig.put(
      lifecycleEvent("asg-lifecycle-launch", instanceId, token, {
        LifecycleHookName: "launch-hook",
        Destination: "WarmPool",
      }),
    );
    await pollUntilEmpty();
    expect((await lifecycleCalls(token)).map((c) => c.params.LifecycleActionResult)).toEqual(["CONTINUE"]);
  });

  it("abandons a launch whose node never became Ready before the hook's window closed", async () => {
    const instanceId = randomInstanceId();
    const token = await pendingLifecycleAction(group, "launch-hook", instanceId);
    const event = lifecycleEvent("asg-lifecycle-launch", instanceId, token, { LifecycleHookName: "launch-hook" });
    event.time = new Date(Date.now() - 120_000).toISOString();
    await rig.put(event);
    await pollUntilEmpty();
    expect((await completions(token)).map((c) => c.params.LifecycleActionResult)).toEqual(["ABANDON"]);
  });

  it("completes once when the hook and a spot warning for the same instance overlap", async () => {
    const { instanceId, name } = await nodeWithPods("overlap");
    const token = await pendingLifecycleAction(group, "drain-hook", instanceId);
    await rig.put(eventFor(awsEvent("spot-interruption"), instanceId));
    await rig.put(lifecycleEvent("asg-lifecycle-terminate", instanceId, token));
    await rig.put(lifecycleEvent("asg-lifecycle-terminate", instanceId, token));
    await pollUntilEmpty();
    expect(await podsOnNode(name)).toHaveLength(0);
    const completes = (await lifecycleCalls(token)).filter((c) => c.action === "CompleteLifecycleAction");
    expect(completes.filter((c) => c.outcome === "success")).toHaveLength(1);
    const types = rig.notifications.filter((n) => n.instanceId === instanceId).map((n) => n.type);
    expect(types).toEqual(["drain_started", "drain_completed"]);
  });
});
