import type { V1DaemonSet } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { eventFor, interruptionRig, podsOnNode, runningPods, workload } from "../../helpers/interruptions.ts";
import { createNamespace, createNode, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

const stateAnnotation = "harbormaster.io/interruption";

describe("interruption events, from EventBridge through SQS to the cluster", () => {
  const { core, apps } = kube();
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  let namespace: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    rig = await interruptionRig();
    namespace = await createNamespace(core, "events");
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  /** Three nodes of a fresh pool, each running one pod of an app and one DaemonSet pod. */
  async function pool(app: string) {
    const selector = { "harbormaster.test/pool": uniqueName(app) };
    const instanceIds = [randomInstanceId(), randomInstanceId(), randomInstanceId()];
    const names: string[] = [];
    for (const instanceId of instanceIds) {
      const node = await createNode(core, { instanceId, labels: selector });
      names.push(node.metadata?.name ?? "");
    }
    nodes.push(...names);
    await apps.createNamespacedDaemonSet({ namespace, body: daemonSet(`${app}-agent`, selector) });
    await workload(namespace, app, 3, selector);
    await runningPods(namespace, `${app}-agent`, 3);
    return { instanceIds, names };
  }

  async function drainUntilQueueEmpty() {
    for (let i = 0; i < 20; i++) {
      const { received } = await rig.poll();
      if (received.length === 0) return;
    }
    throw new Error("queue did not empty");
  }

  it("cordons, taints, labels and drains the node of a spot interruption, leaving DaemonSet pods", async () => {
    const { instanceIds, names } = await pool("spot");
    const spot = eventFor(awsEvent("spot-interruption"), instanceIds[0] as string);
    await rig.put(spot);
    await drainUntilQueueEmpty();

    const node = await core.readNode({ name: names[0] as string });
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.spec?.taints).toContainEqual(
      expect.objectContaining({ key: "harbormaster.io/spot_interrupted", effect: "NoSchedule" }),
    );
    expect(node.metadata?.labels?.["node.kubernetes.io/exclude-from-external-load-balancers"]).toBe("true");
    const state = JSON.parse(node.metadata?.annotations?.[stateAnnotation] ?? "{}");
    expect(state).toMatchObject({ phase: "drained", kinds: ["spot_interrupted"], instanceId: instanceIds[0] });
    // The two-minute warning minus the 15 s margin, counted from the event's own time.
    expect(Date.parse(state.deadline) - Date.parse(spot.time as string)).toBe(105_000);

    const left = await podsOnNode(names[0] as string);
    expect(left.map((p) => p.metadata?.labels?.app)).toEqual(["spot-agent"]);
    const types = rig.notifications.filter((n) => n.instanceId === instanceIds[0]).map((n) => n.type);
    expect(types).toEqual(["drain_started", "drain_completed"]);
  });

  it("only cordons and taints on a rebalance recommendation, by default", async () => {
    const { instanceIds, names } = await pool("rebalance");
    await rig.put(eventFor(awsEvent("rebalance-recommendation"), instanceIds[1] as string));
    await drainUntilQueueEmpty();

    const node = await core.readNode({ name: names[1] as string });
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.spec?.taints?.map((t) => t.key)).toContain("harbormaster.io/rebalance_recommendation");
    expect((await podsOnNode(names[1] as string)).map((p) => p.metadata?.labels?.app).sort()).toEqual([
      "rebalance",
      "rebalance-agent",
    ]);
  });

  it("drains for an AWS Health scheduled change", async () => {
    const { instanceIds, names } = await pool("health");
    const event = eventFor(awsEvent("health-scheduled-change"), instanceIds[2] as string);
    (event.detail as Record<string, unknown>).startTime = new Date(Date.now() + 3_600_000).toUTCString();
    await rig.put(event);
    await drainUntilQueueEmpty();
    expect((await podsOnNode(names[2] as string)).map((p) => p.metadata?.labels?.app)).toEqual(["health-agent"]);
  });

  it("removes the node of a terminated instance", async () => {
    const { instanceIds, names } = await pool("gone");
    const event = eventFor(awsEvent("state-change-shutting-down"), instanceIds[0] as string);
    (event.detail as Record<string, unknown>).state = "terminated";
    await rig.put(event);
    await drainUntilQueueEmpty();
    await expect(core.readNode({ name: names[0] as string })).rejects.toMatchObject({ code: 404 });
  });

  it("makes one drain and one notification thread of spot, state-change and duplicate events for one instance", async () => {
    const { instanceIds, names } = await pool("dupes");
    const id = instanceIds[0] as string;
    const spot = eventFor(awsEvent("spot-interruption"), id);
    await rig.put(spot);
    await rig.put(spot);
    await rig.put(eventFor(awsEvent("state-change-shutting-down"), id));
    await drainUntilQueueEmpty();

    const mine = rig.notifications.filter((n) => n.instanceId === id);
    expect(mine.map((n) => n.type)).toEqual(["drain_started", "drain_completed"]);
    expect(new Set(mine.map((n) => n.threadKey)).size).toBe(1);
    const state = JSON.parse(
      (await core.readNode({ name: names[0] as string })).metadata?.annotations?.[stateAnnotation] ?? "{}",
    );
    expect(state.kinds.sort()).toEqual(["instance_stopping", "spot_interrupted"]);
  });

  it("deletes the message of an instance that is not in this cluster, touching nothing", async () => {
    const before = rig.notifications.length;
    await rig.put(eventFor(awsEvent("spot-interruption"), randomInstanceId()));
    const first = await rig.poll();
    expect(first.received).toHaveLength(1);
    expect(first.failed).toEqual([]);
    expect((await rig.poll()).received).toHaveLength(0);
    expect(rig.notifications.length).toBe(before);
  });

  it("sends a malformed message to the DLQ while the rest of its batch succeeds", async () => {
    await rig.send("{this is not json");
    await rig.send(awsEvent("asg-direct-to-sqs-test-notification"));
    await rig.put(eventFor(awsEvent("spot-interruption"), randomInstanceId()));
    const seen: string[] = [];
    for (let i = 0; i < 5 && seen.length < 3; i++) {
      const { received, failed } = await rig.poll();
      expect(failed).toEqual([]);
      seen.push(...received);
    }
    expect(seen).toHaveLength(3);
    expect((await rig.poll()).received).toHaveLength(0);
    const dead = await rig.dlqMessages();
    expect(dead.map((m) => m.Body)).toEqual(["{this is not json"]);
    expect(dead[0]?.MessageAttributes?.["harbormaster-error"]?.StringValue).toBe("body is not JSON");
  });
});

function daemonSet(name: string, nodeSelector: Record<string, string>): V1DaemonSet {
  return {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector,
          tolerations: [{ operator: "Exists" }],
          containers: [{ name: "agent", image: "registry.invalid/agent:1" }],
        },
      },
    },
  };
}
