import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { deployment, pdb } from "../../fixtures/workloads.ts";
import { recordingApiserver } from "../../helpers/apiserver-recorder.ts";
import { spawnInstance } from "../../helpers/interruption-instances.ts";
import { eventFor, interruptionRig, runningPods } from "../../helpers/interruptions.ts";
import { createNamespace, createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

const stateAnnotation = "harbormaster.io/interruption";
const repeats = 20;
const podsPerNode = 2;

// SQS delivers at least once: copies of one warning can reach several execution environments at once.
// Each instance here is the function as Lambda runs it, with its own caches and connections; the
// apiserver is the real one, behind a recorder that counts the evictions it accepted.
describe("copies of one spot warning handled by several instances at the same moment", () => {
  const { core, apps, policy } = kube();
  let recorder: Awaited<ReturnType<typeof recordingApiserver>>;
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  let namespace: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    recorder = await recordingApiserver();
    rig = await interruptionRig({ KUBECONFIG: recorder.kubeconfigPath });
    namespace = await createNamespace(core, "duplicates");
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
    await recorder.close();
  });

  /** A node with pods of a Deployment of its own, packed onto it (and a budget over them, if given). */
  async function nodeWithPods(prefix: string, minAvailable?: number) {
    const app = uniqueName(prefix);
    const selector = { "harbormaster.test/pool": app };
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, labels: selector });
    const name = node.metadata?.name ?? "";
    nodes.push(name);
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment(app, podsPerNode, selector, { onePerNode: false }),
    });
    if (minAvailable !== undefined)
      await policy.createNamespacedPodDisruptionBudget({ namespace, body: pdb(app, minAvailable) });
    const pods = (await runningPods(namespace, app, podsPerNode)).map((p) => `${namespace}/${p.metadata?.name}`);
    if (minAvailable !== undefined) {
      await eventually(async () => {
        const budget = await policy.readNamespacedPodDisruptionBudget({ name: app, namespace });
        if (budget.status?.currentHealthy !== podsPerNode) throw new Error("budget not observed yet");
      });
    }
    return { app, instanceId, name, pods };
  }

  async function stateOf(name: string) {
    const node = await core.readNode({ name });
    return JSON.parse(node.metadata?.annotations?.[stateAnnotation] ?? "{}");
  }

  const ofInstance = (instanceId: string) => rig.notifications.filter((n) => n.instanceId === instanceId);

  it.each([2, 5])(
    "drains once with %i instances: one eviction per pod, the full count, one thread with one drain_completed",
    async (copies) => {
      const instances = Array.from({ length: copies }, () => rig.newHandler());
      const targets = await Promise.all(Array.from({ length: repeats }, () => nodeWithPods(`dup${copies}`)));
      for (const target of targets) {
        // The same message N times, as SQS delivers a duplicate: same body, same event id.
        const body = JSON.stringify(eventFor(awsEvent("spot-interruption"), target.instanceId));
        for (let i = 0; i < copies; i++) await rig.send(body);
        const polls = await Promise.all(instances.map((instance) => rig.pollWith(instance)));

        expect(polls.map((p) => [p.received.length, p.failed.length])).toEqual(instances.map(() => [1, 0]));
        expect(recorder.accepted(target.pods)).toEqual(Object.fromEntries(target.pods.map((p) => [p, 1])));
        expect(await stateOf(target.name)).toMatchObject({ phase: "drained", evicted: podsPerNode });
        const mine = ofInstance(target.instanceId);
        expect(mine.filter((n) => n.type === "drain_started")).toHaveLength(1);
        expect(mine.filter((n) => n.type === "drain_completed")).toEqual([
          expect.objectContaining({ evicted: podsPerNode }),
        ]);
        expect(new Set(mine.map((n) => n.threadKey)).size).toBe(1);
      }
    },
    300_000,
  );

  it("finishes the drain in another instance when the owner is killed mid-drain", async () => {
    // A budget that lets one pod go: the owner evicts one, and the budget holds the other back.
    const target = await nodeWithPods("killed", podsPerNode - 1);
    const body = JSON.stringify(eventFor(awsEvent("spot-interruption"), target.instanceId));
    await rig.send(body);
    const owner = spawnInstance(rig.env, rig.queue);
    const owned = await eventually(async () => {
      const state = await stateOf(target.name);
      if (!state.owner || state.evicted !== 1 || state.blocked?.length !== 1)
        throw new Error(`not mid-drain yet: ${JSON.stringify(state)}`);
      return state;
    }, 45_000);

    await rig.send(body);
    const finishing = rig.pollWith(rig.newHandler(), { waitSeconds: 5, remainingMs: 120_000 });
    await owner.kill();
    // The second instance waits for the dead owner's lease to lapse, then takes the drain over.
    await eventually(async () => {
      const state = await stateOf(target.name);
      if (!state.owner || state.owner.id === owned.owner.id) throw new Error("not taken over yet");
    }, 75_000);
    await policy.patchNamespacedPodDisruptionBudget({
      name: target.app,
      namespace,
      body: [{ op: "replace", path: "/spec/minAvailable", value: 0 }],
    });

    expect((await finishing).failed).toEqual([]);
    expect(recorder.accepted(target.pods)).toEqual(Object.fromEntries(target.pods.map((p) => [p, 1])));
    expect(await stateOf(target.name)).toMatchObject({ phase: "drained", evicted: podsPerNode });
    const thread = [...owner.notifications, ...ofInstance(target.instanceId)];
    expect(thread.filter((n) => n.type === "drain_started")).toHaveLength(1);
    expect(thread.filter((n) => n.type === "drain_completed")).toEqual([
      expect.objectContaining({ evicted: podsPerNode }),
    ]);
    expect(new Set(thread.map((n) => n.threadKey)).size).toBe(1);
  }, 180_000);
});
