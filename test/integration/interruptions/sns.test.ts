import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { autoScalingGroup, lifecycleCalls, pendingLifecycleAction } from "../../helpers/autoscaling.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import { snsTopicTo } from "../../helpers/sns.ts";
import { createNamespace, createNode, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

// ASG → SNS → SQS and EventBridge → SNS → SQS, through a real topic in the emulator: SNS wraps each message
// in its envelope unless the subscription has raw message delivery, and the handler must read both.
describe("events delivered through an SNS topic subscribed to the queue", () => {
  const { core } = kube();
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  let namespace: string;
  let group: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    rig = await interruptionRig({ HARBORMASTER_DEADLINES: JSON.stringify({ lifecycleDrainMs: 60_000 }) });
    namespace = await createNamespace(core, "sns");
    group = await autoScalingGroup();
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  async function nodeWithPod(app: string) {
    const selector = { "harbormaster.test/pool": uniqueName(app) };
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, labels: selector });
    const name = node.metadata?.name ?? "";
    nodes.push(name);
    await workload(namespace, app, 1, selector);
    return { instanceId, name };
  }

  async function pollUntilEmpty() {
    for (let i = 0; i < 30; i++) if ((await rig.poll()).received.length === 0) return;
    throw new Error("queue did not empty");
  }

  it.each([false, true])(
    "drains on an ASG terminate hook's notification (raw delivery: %s), and completes it",
    async (raw) => {
      const topic = await snsTopicTo(rig.queue.arn, raw);
      const { instanceId, name } = await nodeWithPod(raw ? "hook-raw" : "hook-envelope");
      const token = await pendingLifecycleAction(group, "drain-hook", instanceId);
      // What a lifecycle hook whose notification target is the topic publishes.
      const notification = {
        ...awsEvent("asg-direct-to-sqs-terminate"),
        EC2InstanceId: instanceId,
        LifecycleActionToken: token,
        AutoScalingGroupName: group,
        RequestId: crypto.randomUUID(),
        Time: new Date().toISOString(),
      };
      await topic.publish(notification, `Auto Scaling:  Lifecycle action 'TERMINATING' for instance ${instanceId}`);
      await pollUntilEmpty();

      expect(await podsOnNode(name)).toHaveLength(0);
      expect((await lifecycleCalls(token)).at(-1)).toMatchObject({
        action: "CompleteLifecycleAction",
        params: { LifecycleActionResult: "CONTINUE", InstanceId: instanceId },
      });
      const types = rig.notifications.filter((n) => n.instanceId === instanceId).map((n) => n.type);
      expect(types).toEqual(["drain_started", "drain_completed"]);
    },
  );

  it.each([false, true])("drains on an EventBridge spot warning sent to the topic (raw delivery: %s)", async (raw) => {
    const topic = await snsTopicTo(rig.queue.arn, raw);
    const { instanceId, name } = await nodeWithPod(raw ? "spot-raw" : "spot-envelope");
    // An EventBridge rule whose target is the topic: EventBridge publishes the event, SNS delivers it.
    const put = await topic.fromEventBridge();
    await put(eventFor(awsEvent("spot-interruption"), instanceId));
    await pollUntilEmpty();
    expect(await podsOnNode(name)).toHaveLength(0);
    expect(rig.notifications.filter((n) => n.instanceId === instanceId).map((n) => n.type)).toEqual([
      "drain_started",
      "drain_completed",
    ]);
  });

  it("deletes the ASG test notification that comes through the topic", async () => {
    const topic = await snsTopicTo(rig.queue.arn, false);
    await topic.publish(awsEvent("asg-direct-to-sqs-test-notification"));
    const { received, failed } = await rig.poll();
    expect(received).toHaveLength(1);
    expect(failed).toEqual([]);
    expect(await rig.dlqMessages()).toEqual([]);
  });

  it("sends an envelope whose Message is not JSON to the dead-letter queue, saying why", async () => {
    const topic = await snsTopicTo(rig.queue.arn, false);
    await topic.publish("Instance i-0123456789abcdef0 is terminating");
    const { received, failed } = await rig.poll();
    expect(received).toHaveLength(1);
    expect(failed).toEqual([]);
    const dead = await rig.dlqMessages();
    expect(dead).toHaveLength(1);
    // The envelope exactly as SNS wrote it, so an operator sees what arrived.
    expect(JSON.parse(dead[0]?.Body ?? "{}")).toMatchObject({ Type: "Notification", TopicArn: topic.topicArn });
    expect(dead[0]?.MessageAttributes?.["harbormaster-error"]?.StringValue).toBe(
      `the Message of an SNS notification from ${topic.topicArn} is not JSON`,
    );
  });
});
