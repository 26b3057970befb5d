import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInterruptionHandler } from "../../../functions/adapters/interruption-wiring.ts";
import type { InterruptionNotification } from "../../../functions/core/notifications.ts";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { deployment } from "../../fixtures/workloads.ts";
import { recordingApiserver } from "../../helpers/apiserver-recorder.ts";
import {
  createQueue,
  eventFor,
  interruptionRig,
  podsOnNode,
  runningPods,
  workload,
} from "../../helpers/interruptions.ts";
import { pollOnce } from "../../helpers/lambda.ts";
import { createNamespace, createNode, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

const podsPerNode = 3;

// Two stages, as deployed (stacks/interruptions.ts): the warnings' function cordons and hands each drain
// to the drain queue; the drain function drains. Every copy of a warning runs in two environments at the
// same moment in each stage, against the real apiserver behind a recorder that counts accepted evictions.
describe("the drain queue between the cordon and the drain", () => {
  const { core, apps } = kube();
  let recorder: Awaited<ReturnType<typeof recordingApiserver>>;
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  let namespace: string;
  let drainQueue: { url: string; arn: string };
  const nodes: string[] = [];
  const notifications: InterruptionNotification[] = [];

  beforeAll(async () => {
    recorder = await recordingApiserver();
    rig = await interruptionRig({ KUBECONFIG: recorder.kubeconfigPath });
    drainQueue = await createQueue(rig.sqs, uniqueName("drains"));
    namespace = await createNamespace(core, "drainq");
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
    await recorder.close();
  });

  const handler = (env: Record<string, string>) =>
    createInterruptionHandler({ ...rig.env, ...env } as NodeJS.ProcessEnv, {
      notifier: { publish: async (n) => void notifications.push(n as InterruptionNotification) },
    });

  async function nodeWithPods() {
    const app = uniqueName("staged");
    const selector = { "harbormaster.test/pool": app };
    const instanceId = randomInstanceId();
    const name = (await createNode(core, { instanceId, labels: selector })).metadata?.name ?? "";
    nodes.push(name);
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment(app, podsPerNode, selector, { onePerNode: false }),
    });
    const pods = (await runningPods(namespace, app, podsPerNode)).map((p) => `${namespace}/${p.metadata?.name}`);
    return { instanceId, name, pods };
  }

  const waiting = async (url: string) => {
    const { Attributes } = await rig.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  };

  it("cordons every node in the first stage, hands the drains over, and drains each pod once in the second", async () => {
    const targets = await Promise.all([nodeWithPods(), nodeWithPods(), nodeWithPods()]);
    // Every warning twice: SQS may hand both copies to two environments at once.
    for (const t of targets) {
      const body = JSON.stringify(eventFor(awsEvent("spot-interruption"), t.instanceId));
      await rig.send(body);
      await rig.send(body);
    }
    const fronts = [0, 1].map(() => handler({ HARBORMASTER_DRAIN_QUEUE_URL: drainQueue.url }));
    const first = await Promise.all(
      fronts.map((front) => pollOnce(rig.sqs, rig.queue.url, rig.queue.arn, front, { batchSize: 3, waitSeconds: 2 })),
    );
    expect(first.flatMap((b) => b.received)).toHaveLength(6);
    expect(first.flatMap((b) => b.failed)).toEqual([]);
    for (const t of targets) {
      const node = await core.readNode({ name: t.name });
      expect(node.spec?.unschedulable).toBe(true);
      expect(node.spec?.taints?.map((taint) => taint.key)).toContain("harbormaster.io/spot_interrupted");
      // The first stage evicts nothing: its pods are all still there.
      expect(await podsOnNode(t.name)).toHaveLength(podsPerNode);
    }
    expect(recorder.accepted(targets.flatMap((t) => t.pods))).toEqual(
      Object.fromEntries(targets.flatMap((t) => t.pods).map((p) => [p, 0])),
    );
    expect(await waiting(drainQueue.url)).toBe(6);

    const drainers = [0, 1].map(() => handler({ HARBORMASTER_DRAIN_SLICE_SECONDS: "20" }));
    const second = await Promise.all(
      drainers.map((drainer) =>
        pollOnce(rig.sqs, drainQueue.url, drainQueue.arn, drainer, { batchSize: 3, waitSeconds: 2 }),
      ),
    );
    expect(second.flatMap((b) => b.failed)).toEqual([]);
    expect(second.flatMap((b) => b.received)).toHaveLength(6);
    for (const t of targets) {
      expect(await podsOnNode(t.name)).toHaveLength(0);
      const mine = notifications.filter((n) => n.instanceId === t.instanceId);
      // Announced once, by the stage that cordoned; completed once, by the stage that drained.
      expect(mine.filter((n) => n.type === "drain_started")).toHaveLength(1);
      expect(mine.filter((n) => n.type === "drain_completed")).toHaveLength(1);
      expect(new Set(mine.map((n) => n.threadKey)).size).toBe(1);
    }
    expect(recorder.accepted(targets.flatMap((t) => t.pods))).toEqual(
      Object.fromEntries(targets.flatMap((t) => t.pods).map((p) => [p, 1])),
    );
  }, 120_000);

  it("keeps a warning it could not hand over on its own queue, its node cordoned, for the retry", async () => {
    const target = await nodeWithPods();
    await rig.send(JSON.stringify(eventFor(awsEvent("spot-interruption"), target.instanceId)));
    const missing = drainQueue.url.replace(/[^/]+$/, uniqueName("no-such-queue"));
    const front = handler({ HARBORMASTER_DRAIN_QUEUE_URL: missing });
    const batch = await pollOnce(rig.sqs, rig.queue.url, rig.queue.arn, front, { waitSeconds: 2 });
    expect(batch.received).toHaveLength(1);
    expect(batch.failed).toEqual(batch.received);
    expect((await core.readNode({ name: target.name })).spec?.unschedulable).toBe(true);
    expect(await waiting(rig.queue.url)).toBe(1);
    expect(await podsOnNode(target.name)).toHaveLength(podsPerNode);
  }, 60_000);

  it("hands a blocked drain back after its slice only once another drain waits in the queue", async () => {
    const app = uniqueName("held");
    const selector = { "harbormaster.test/pool": app };
    const instanceId = randomInstanceId();
    const name = (await createNode(core, { instanceId, labels: selector })).metadata?.name ?? "";
    nodes.push(name);
    // A budget that lets no pod go: the drain can only wait.
    await workload(namespace, app, 1, selector, 1);
    const queue = await createQueue(rig.sqs, uniqueName("held-drains"));
    const body = JSON.stringify(eventFor(awsEvent("spot-interruption"), instanceId));
    const drainer = handler({ HARBORMASTER_DRAIN_SLICE_SECONDS: "5" });
    // 55 s left: the invocation pauses at 25 s (Lambda time minus the 30 s margin) unless handed back, which
    // comes after its slice (5-10 s) once two checks 2 s apart both saw the other drain waiting.
    const invoke = async (whileRunning?: () => Promise<void>) => {
      await rig.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
      const started = Date.now();
      const running = pollOnce(rig.sqs, queue.url, queue.arn, drainer, { remainingMs: 55_000, batchSize: 1 });
      await whileRunning?.();
      const batch = await running;
      return { batch, seconds: (Date.now() - started) / 1000 };
    };

    const alone = await invoke();
    expect(alone.batch.failed).toEqual(alone.batch.received);
    expect(alone.seconds).toBeGreaterThan(24);

    await waitForEmpty(queue.url);
    const joined = await invoke(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await rig.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    });
    expect(joined.batch.failed).toEqual(joined.batch.received);
    expect(joined.seconds).toBeLessThan(16);
    // Paused, not failed: its node still holds its pod, the drain's state says so.
    expect(await podsOnNode(name)).toHaveLength(1);
  }, 120_000);

  async function waitForEmpty(url: string) {
    // The paused message comes back after a second; take it out so the next run starts alone.
    for (let i = 0; i < 20 && (await waiting(url)) > 0; i++) {
      const { Messages = [] } = await rig.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages)
        await rig.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle ?? "" }));
    }
  }
});
