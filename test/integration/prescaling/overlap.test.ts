import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hpaPolicy } from "../../fixtures/prescaling-policies.ts";
import { type PrescalingRig, prescalingRig } from "../../helpers/prescaling.ts";
import { uniqueName } from "../../helpers/testbed.ts";
import { type PrescalingWorld, prescalingWorld } from "./setup.ts";

describe("alarms that overlap on one HPA", () => {
  let world: PrescalingWorld;
  let rig: PrescalingRig;
  const latency = uniqueName("p99");
  const errors = uniqueName("errors");
  const doubling = uniqueName("doubling");

  beforeAll(async () => {
    world = await prescalingWorld("prescale-overlap", { nodeCpu: "8" });
    await world.app("api", 2, "100m", 2, 20);
    await world.app("batch", 2, "100m", 2, 20);
    const targets = [{ namespace: world.namespace, name: "api" }];
    rig = await prescalingRig([
      hpaPolicy({ name: "latency", alarms: [latency], targets, floor: { mode: "absolute", replicas: 6 } }),
      hpaPolicy({ name: "errors", alarms: [errors], targets, floor: { mode: "absolute", replicas: 4 } }),
      hpaPolicy({
        name: "double",
        alarms: [doubling],
        targets: [{ namespace: world.namespace, name: "batch" }],
        floor: { mode: "multiply", factor: 2 },
      }),
    ]);
  });

  afterAll(() => world.cleanup());

  const min = async (name = "api") => (await world.readHpa(name)).spec?.minReplicas;

  it("holds the highest floor while any alarm lasts, and the original only after the last OK", async () => {
    await rig.setAlarm(latency, "ALARM");
    await rig.setAlarm(errors, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    expect(await min()).toBe(6);

    await rig.setAlarm(latency, "OK");
    expect((await rig.poll()).failed).toEqual([]);
    expect(await min()).toBe(4);
    expect(rig.ofType("prescale_restored")).toMatchObject([
      { policy: "latency", changes: [], kept: [{ level: "min", value: 4, reason: "held_by_another_trigger" }] },
    ]);

    await rig.setAlarm(errors, "OK");
    expect((await rig.poll()).failed).toEqual([]);
    expect(await min()).toBe(2);
    expect(await world.isHeld((await world.readHpa("api")).metadata)).toBe(false);
  });

  it("does not compound a multiplied floor when the same ALARM is delivered twice", async () => {
    await rig.setAlarm(doubling, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    expect(await min("batch")).toBe(4);
    // The HPA has scaled to the floor: a second doubling from here would ask for 8.
    await world.running("batch", 4);
    await rig.putAlarmEvent(doubling);
    expect((await rig.poll()).failed).toEqual([]);
    expect(await min("batch")).toBe(4);
    await rig.setAlarm(doubling, "OK");
    expect((await rig.poll()).failed).toEqual([]);
    expect(await min("batch")).toBe(2);
  });

  it("does not raise for an ALARM that arrives after its alarm went back to OK", async () => {
    await rig.setAlarm(latency, "ALARM");
    // CloudWatch moves on to OK before the queued ALARM is handled, and the OK's delivery is lost.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await rig.setAlarmState(latency, "OK");
    const raised = rig.ofType("prescale_raised").length;
    expect((await rig.poll()).failed).toEqual([]);
    expect(await min()).toBe(2);
    expect(rig.ofType("prescale_raised")).toHaveLength(raised);
  });
});
