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
});
