import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { autoScalingGroup, lifecycleCalls, pendingLifecycleAction } from "../../helpers/autoscaling.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import { createNamespace, createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

const stateAnnotation = "harbormaster.io/interruption";
const lifecycleDrainMs = 8_000;

// SQS redelivers a message whose visibility timeout ran out, however late that is. An event the node has
// already taken in must never start another interruption: no notification, no drain, no lifecycle call.
describe("an event redelivered after its deadline or after its drain", () => {
  const { core } = kube();
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  let namespace: string;
  let group: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    rig = await interruptionRig({ HARBORMASTER_DEADLINES: JSON.stringify({ lifecycleDrainMs }) });
    namespace = await createNamespace(core, "redelivery");
    group = await autoScalingGroup();
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  async function nodeWithPod(prefix: string) {
    const app = uniqueName(prefix);
    const selector = { "harbormaster.test/pool": app };
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, labels: selector });
    const name = node.metadata?.name ?? "";
    nodes.push(name);
    await workload(namespace, app, 1, selector);
    return { instanceId, name };
  }

  /** Puts the very same message on the queue again and lets one invocation handle it. */
  async function deliver(body: string) {
    await rig.send(body);
    const { received, failed } = await rig.poll();
    expect(received).toHaveLength(1);
    expect(failed).toEqual([]);
  }

  const stateOf = async (name: string) =>
    JSON.parse((await core.readNode({ name })).metadata?.annotations?.[stateAnnotation] ?? "{}");
  const typesOf = (instanceId: string) =>
    rig.notifications.filter((n) => n.instanceId === instanceId).map((n) => n.type);

  it("handles a spot warning that arrives after its deadline once, however often it is redelivered", async () => {
    const { instanceId, name } = await nodeWithPod("late");
    // Sent 200 s ago: its deadline (120 s minus the margin) had passed before the first delivery.
    const body = JSON.stringify(eventFor(awsEvent("spot-interruption"), instanceId, 200_000));
    await deliver(body);
    const first = await stateOf(name);
    expect(first).toMatchObject({ phase: "failed" });
    await deliver(body);
    await deliver(body);
    expect(typesOf(instanceId)).toEqual(["drain_started", "drain_failed"]);
    expect(await stateOf(name)).toMatchObject({ startedAt: first.startedAt, phase: "failed" });
  });

  it("does nothing for a lifecycle hook redelivered after its drain completed, before and after its deadline", async () => {
    const { instanceId, name } = await nodeWithPod("drained");
    const token = await pendingLifecycleAction(group, "drain-hook", instanceId);
    const event = eventFor(awsEvent("asg-lifecycle-terminate"), instanceId);
    Object.assign(event.detail as object, {
      EC2InstanceId: instanceId,
      LifecycleActionToken: token,
      AutoScalingGroupName: group,
    });
    const body = JSON.stringify(event);
    await deliver(body);
    expect(await podsOnNode(name)).toHaveLength(0);
    const calls = await lifecycleCalls(token);
    expect(calls.at(-1)).toMatchObject({ action: "CompleteLifecycleAction", outcome: "success" });

    // A pod that lands on the node after the drain (it tolerates the cordon): another drain would evict it.
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "late-arrival" },
        spec: {
          nodeName: name,
          tolerations: [{ operator: "Exists" }],
          containers: [{ name: "app", image: "registry.invalid/app:1" }],
        },
      },
    });
    await eventually(async () => {
      const pod = await core.readNamespacedPod({ name: "late-arrival", namespace });
      if (pod.status?.phase !== "Running") throw new Error("not running yet");
    });

    await deliver(body);
    const deadline = Date.parse(event.time as string) + lifecycleDrainMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now() + 500)));
    await deliver(body);

    expect(typesOf(instanceId)).toEqual(["drain_started", "drain_completed"]);
    expect(await lifecycleCalls(token)).toHaveLength(calls.length);
    const pod = await core.readNamespacedPod({ name: "late-arrival", namespace });
    expect(pod.metadata?.deletionTimestamp).toBeUndefined();
    expect(await stateOf(name)).toMatchObject({ phase: "drained", evicted: 1 });
  });
});
