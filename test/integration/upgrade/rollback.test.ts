import { describe, expect, it } from "vitest";
import { eventually } from "../../helpers/testbed.ts";
import { type UpgradeWorld, webUpgradeFixture } from "./rig.ts";

const alarmEvent = (alarmName: string) => ({
  id: crypto.randomUUID(),
  source: "aws.cloudwatch",
  "detail-type": "CloudWatch Alarm State Change",
  time: new Date().toISOString(),
  detail: { alarmName, state: { value: "ALARM", reason: "Threshold Crossed" }, previousState: { value: "OK" } },
});

describe("an ALARM from either cluster rolls the upgrade back at once", () => {
  const world = webUpgradeFixture();
  /** Blue's pods move to a pool with no node: a rolling update that leaves 3 of 4 Ready until undone. */
  const moveBluePods = (w: UpgradeWorld, pool: string) =>
    w.clusters.blue.apps.patchNamespacedDeployment({
      namespace: w.namespace,
      name: "web",
      body: [{ op: "replace", path: "/spec/template/spec/nodeSelector", value: { "harbormaster.test/pool": pool } }],
    });

  it("puts green's traffic back on a green ALARM, keeping green's floors until blue serves again", async () => {
    const w = await world();
    await w.command("start");
    await w.untilReady("green", "web", 3);
    await w.fire();
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });

    await moveBluePods(w, "nowhere");
    await eventually(async () => {
      if ((await w.readyPods("blue", "web")) >= 4) throw new Error("blue still has 4 Ready pods");
    });
    await w.setAlarm(w.alarms.green, "ALARM");
    await w.invoke(alarmEvent(w.alarms.green));
    expect(await w.weights()).toEqual({ blue: 100, green: 0 });
    expect(await w.metadata()).toMatchObject({ status: "rolled_back", phase: "rollback-settling" });
    expect(await w.minOf("green", "web")).toBe(3);
    expect(await w.minOf("blue", "web")).toBe(4);
    const rolledBack = w.notifications.find((n) => n.type === "upgrade_rolled_back");
    expect(rolledBack).toMatchObject({ alarm: w.alarms.green, weights: { blue: 100, green: 0 } });

    await w.fire(); // blue is still short: the settling looks again later, green's floors stay
    expect(await w.metadata()).toMatchObject({ phase: "rollback-settling" });
    expect(await w.minOf("green", "web")).toBe(3);

    await moveBluePods(w, w.namespace);
    await w.untilReady("blue", "web", 4);
    await w.fire();
    expect(await w.metadata()).toMatchObject({ status: "rolled_back", phase: "settled" });
    expect(await w.minOf("green", "web")).toBe(1);
    expect(await w.minOf("blue", "web")).toBe(2);
    expect(await w.held("green", "web")).toBe(false);
    expect(w.notifications.find((n) => n.type === "upgrade_rollback_settled")).toMatchObject({ bluePods: 4 });
  });

  it("rolls back on a blue ALARM while green's capacity is still coming, and settles at once", async () => {
    const w = await world();
    await w.command("start");
    expect(await w.metadata()).toMatchObject({ phase: "capacity-wait" });
    await w.setAlarm(w.alarms.blue, "ALARM");
    await w.invoke(alarmEvent(w.alarms.blue));
    // Blue's 4 Ready pods cover its floor, so the rollback settles in the same invocation.
    expect(await w.metadata()).toMatchObject({ status: "rolled_back", phase: "settled" });
    expect(await w.weights()).toEqual({ blue: 100, green: 0 });
    expect(await w.minOf("green", "web")).toBe(1);
    expect(await w.minOf("blue", "web")).toBe(2);
    expect(w.upgradeTypes()).toEqual([
      "upgrade_started",
      "upgrade_capacity",
      "upgrade_rolled_back",
      "upgrade_rollback_settled",
    ]);
    // A late ticket of the rolled-back run does nothing.
    const before = await w.metadata();
    await w.invoke({
      harbormaster: "harbormaster.upgrade.step",
      upgrade: "web",
      rolloutId: before?.rolloutId,
      revision: 1,
    });
    expect((await w.metadata())?.revision).toBe(before?.revision);
  });
});
