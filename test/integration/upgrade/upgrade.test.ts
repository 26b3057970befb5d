import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createCluster } from "../../helpers/testbed.ts";
import { type UpgradeWorld, upgradeWorld } from "./rig.ts";

// Blue is the shared testbed, green a control plane of this file's own. The HPA controller has no metrics
// server here, but it still enforces minReplicas, and kwok makes the pods it asks for Ready.
describe("a blue-green cluster upgrade, on two real clusters and the emulator", () => {
  let green: Cluster;
  const worlds: UpgradeWorld[] = [];
  beforeAll(async () => {
    green = await createCluster({ name: "green" });
  }, 120_000);
  afterAll(async () => {
    for (const w of worlds) await w.cleanup();
    await green?.close();
  });
  const world = async (options: Parameters<typeof upgradeWorld>[1]) => {
    const w = await upgradeWorld(green, options);
    worlds.push(w);
    return w;
  };

  it("mirrors blue's replicas into green's floors before each step, waits for them, and releases blue", async () => {
    const w = await world({
      blue: [{ name: "web", replicas: 4, min: 2, max: 10 }],
      green: [{ name: "web", replicas: 1, min: 1, max: 10 }],
    });
    await w.untilReported("blue", "web", 4);
    await w.untilReady("green", "web", 1);

    await w.command("start");
    // Floors first: ceil(4 × 50 % × 1.2) = 3 on green, blue held at the 4 it serves with; no weight moved.
    expect(await w.weights()).toEqual({ blue: 100, green: 0 });
    expect(await w.metadata()).toMatchObject({ upgrade: "web", phase: "capacity-wait", status: "running", step: -1 });
    expect(await w.minOf("green", "web")).toBe(3);
    expect(await w.minOf("blue", "web")).toBe(4);

    await w.untilReady("green", "web", 3);
    await w.fire();
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });
    expect(await w.metadata()).toMatchObject({ phase: "baking", step: 0 });

    await w.fire(); // the bake ends: floors for 100 % = ceil(4 × 1.2) = 5
    expect(await w.minOf("green", "web")).toBe(5);
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });
    await w.untilReady("green", "web", 5);
    await w.fire();
    expect(await w.weights()).toEqual({ blue: 0, green: 100 });
    expect(await w.metadata()).toMatchObject({ phase: "final-bake", step: 1 });

    await w.fire(); // after the upgrade's bake: released, both sides' floors restored
    expect(await w.metadata()).toMatchObject({ status: "completed", phase: "released" });
    expect(await w.minOf("green", "web")).toBe(1);
    expect(await w.minOf("blue", "web")).toBe(2);
    expect(await w.held("green", "web")).toBe(false);
    expect(await w.held("blue", "web")).toBe(false);

    expect(w.upgradeTypes()).toEqual([
      "upgrade_started",
      "upgrade_capacity",
      "upgrade_capacity",
      "upgrade_step",
      "upgrade_capacity",
      "upgrade_capacity",
      "upgrade_step",
      "upgrade_completed",
      "upgrade_released",
    ]);
    const steps = w.notifications.filter((n) => n.type === "upgrade_step");
    expect(steps.map((s) => s.type === "upgrade_step" && s.floors?.map((f) => f.floor))).toEqual([[3], [5]]);
    expect(steps.every((s) => s.type === "upgrade_step" && s.capacityWaitMs > 0)).toBe(true);
    const released = w.notifications.find((n) => n.type === "upgrade_released");
    expect(released).toMatchObject({ blueTrafficPercent: 0, bluePods: 4 });
    expect(new Set(w.notifications.map((n) => n.threadKey)).size).toBe(1);
    expect(w.notifications[0]?.threadKey).toMatch(/^upgrade\/web\/r[0-9a-f]{11}$/);
  });

  it("starts on a deploy to green; pauses, resumes, promotes (skipping steps, not capacity); scales blue down", async () => {
    const w = await world({
      blue: [{ name: "web", replicas: 4, min: 2, max: 10 }],
      green: [{ name: "web", replicas: 1, min: 1, max: 10 }],
      plan: { steps: [{ percent: 25 }, { percent: 50 }, { percent: 100 }] },
      upgrade: { scaleDownBlue: true },
    });
    await w.untilReported("blue", "web", 4);
    await w.untilReady("green", "web", 1);
    await w.invoke({
      id: "argo-delivery-1",
      source: "harbormaster.deploy",
      "detail-type": "Deployment Succeeded",
      time: new Date().toISOString(),
      detail: { application: "web", target: "green", revision: "v2", origin: "argocd" },
    });
    expect(await w.metadata()).toMatchObject({ upgrade: "web", phase: "capacity-wait" });
    expect(await w.minOf("green", "web")).toBe(2); // ceil(4 × 25 % × 1.2)

    await w.command("pause");
    expect(await w.metadata()).toMatchObject({ status: "paused", phase: "capacity-wait" });
    expect(await w.currentTickets()).toEqual([]); // a paused upgrade waits for a person, not a schedule
    await w.untilReady("green", "web", 2);
    await w.command("resume"); // looks at once: the capacity is there
    expect(await w.weights()).toEqual({ blue: 75, green: 25 });

    await w.command("promote");
    expect(await w.weights()).toEqual({ blue: 75, green: 25 });
    expect(await w.metadata()).toMatchObject({ phase: "capacity-wait", step: 0 });
    expect((await w.metadata())?.steps.map((s) => s.percent)).toEqual([25, 100]);
    expect(await w.minOf("green", "web")).toBe(5);
    await w.untilReady("green", "web", 5);
    await w.fire();
    expect(await w.weights()).toEqual({ blue: 0, green: 100 });
    await w.fire();
    expect(await w.metadata()).toMatchObject({ phase: "released" });
    const released = w.notifications.find((n) => n.type === "upgrade_released");
    expect(released).toMatchObject({ blueTrafficPercent: 0, scaledDown: [`${w.namespace}/web`] });
    const blue = await w.clusters.blue.apps.readNamespacedDeployment({ namespace: w.namespace, name: "web" });
    expect(blue.spec?.replicas).toBe(2); // blue's HPA minimum; the cluster and its objects stay
    expect(await w.minOf("blue", "web")).toBe(2);
  });

  it("with mirroring off, moves the weights without raising a floor (the comparison arm); traffic commands keep out", async () => {
    const w = await world({
      blue: [{ name: "web", replicas: 4, min: 2, max: 10 }],
      green: [{ name: "web", replicas: 1, min: 1, max: 10 }],
      upgrade: { mirrorCapacity: false },
    });
    await w.untilReported("blue", "web", 4);
    await w.untilReady("green", "web", 1);
    await w.command("start");
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });
    expect(await w.minOf("green", "web")).toBe(1);
    expect(await w.minOf("blue", "web")).toBe(4); // blue is still held, so a rollback lands on capacity

    // The domain belongs to the upgrade now: a traffic command for it writes nothing.
    const revision = (await w.metadata())?.revision;
    await w.invoke({
      id: crypto.randomUUID(),
      source: "harbormaster.traffic",
      "detail-type": "Traffic Control",
      time: new Date().toISOString(),
      detail: { domain: "app", action: "promote", actor: "someone" },
    });
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });
    expect((await w.metadata())?.revision).toBe(revision);
  });
});
