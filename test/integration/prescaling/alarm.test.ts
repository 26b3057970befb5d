import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headroomLabel } from "../../../functions/adapters/prescaling/kubernetes-headroom.ts";
import { hpaPolicy } from "../../fixtures/prescaling-policies.ts";
import { type PrescalingRig, prescalingRig } from "../../helpers/prescaling.ts";
import { eventually, uniqueName } from "../../helpers/testbed.ts";
import { openWindow, type PrescalingWorld, prescalingWorld } from "./setup.ts";

// One 2-CPU node: the app's 2 pods take 800m, standing headroom of 3 × 400m fills the rest. A raised floor
// can only be met by the scheduler preempting a placeholder. (One new pod: with two preempting at once on
// one node, kube-scheduler v1.36.3 here has left the second Pending, nominated, for over six minutes.)
describe("an alarm raises the floor; pods take the headroom's place", () => {
  let world: PrescalingWorld;
  let rig: PrescalingRig;
  const alarm = uniqueName("ads-p99");
  const minute = 60_000;

  beforeAll(async () => {
    world = await prescalingWorld("prescale-alarm");
    await world.app("adserver", 2, "400m", 2, 10);
    rig = await prescalingRig([
      {
        name: "standing",
        windows: [openWindow("now")],
        headroom: {
          namespace: world.namespace,
          name: "headroom",
          priorityClassName: world.priorityClass,
          unit: { cpu: "400m", memory: "64Mi" },
          nodeSelector: world.pool,
          sizing: { mode: "units", units: 3 },
        },
      },
      hpaPolicy({
        name: "surge",
        alarms: [alarm],
        targets: [{ namespace: world.namespace, name: "adserver" }],
        floor: { mode: "add", replicas: 1 },
        cooldownMinutes: 10,
      }),
    ]);
  });

  afterAll(() => world.cleanup());

  const placeholders = () => world.pods(`${headroomLabel}=headroom`);

  it("fills the pool with placeholders when the window opens, reporting the room that was free", async () => {
    await rig.window("standing", "now");
    expect((await rig.poll()).failed).toEqual([]);
    const deployment = await world.apps.readNamespacedDeployment({ namespace: world.namespace, name: "headroom" });
    expect(deployment.spec?.replicas).toBe(3);
    await eventually(async () => expect((await placeholders()).running).toHaveLength(3), 30_000);
    const [raised] = rig.ofType("prescale_raised");
    expect(raised?.headroom).toMatchObject({
      wantedUnits: 3,
      changes: [{ level: "replicas", from: 0, to: 3 }],
      free: { units: 3, cpuMillis: 1200 },
      shortUnits: 0,
    });
  });

  it("raises minReplicas on ALARM; the Deployment scales and its pods preempt placeholders", async () => {
    await rig.setAlarm(alarm, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    const autoscaler = await world.readHpa("adserver");
    expect(autoscaler.spec?.minReplicas).toBe(3);
    expect(await world.isHeld(autoscaler.metadata)).toBe(true);

    // The real HPA controller scales the Deployment; the real scheduler makes room by preemption.
    const pods = await world.running("adserver", 3);
    expect(new Set(pods.map((p) => p.spec?.nodeName))).toEqual(new Set(world.nodeNames));
    const after = await eventually(async () => {
      const p = await placeholders();
      expect(p.running).toHaveLength(2);
      expect(p.pending).toHaveLength(1);
      return p;
    });
    expect(after.pending.every((p) => p.spec?.priority === -10)).toBe(true);
    const raised = rig.ofType("prescale_raised").find((n) => n.policy === "surge");
    expect(raised?.targets).toMatchObject([{ changes: [{ level: "min", from: 2, to: 3 }] }]);
    expect(raised?.threadKey).toContain(`alarm:${alarm}`);
  });

  it("keeps the floor through the cooldown after OK, then restores it", async () => {
    await rig.setAlarm(alarm, "OK");
    expect((await rig.poll()).failed).toEqual([]);
    expect((await world.readHpa("adserver")).spec?.minReplicas).toBe(3);
    const [scheduled] = rig.ofType("prescale_restore_scheduled");
    expect(scheduled?.threadKey).toBe(rig.ofType("prescale_raised").find((n) => n.policy === "surge")?.threadKey);

    rig.clock.advance(11 * minute);
    expect((await rig.sweep()).failed).toEqual([]);
    const autoscaler = await world.readHpa("adserver");
    expect(autoscaler.spec?.minReplicas).toBe(2);
    expect(autoscaler.spec?.maxReplicas).toBe(10);
    expect(await world.isHeld(autoscaler.metadata)).toBe(false);
    expect(rig.ofType("prescale_restored")).toMatchObject([
      { policy: "surge", reason: "released", changes: [{ level: "min", from: 3, to: 2 }], kept: [] },
    ]);
    // The window's headroom is not the alarm's to end.
    const deployment = await world.apps.readNamespacedDeployment({ namespace: world.namespace, name: "headroom" });
    expect(deployment.spec?.replicas).toBe(3);
  });

  it("ends the window's headroom at the window's end", async () => {
    rig.clock.advance(2 * 60 * minute);
    expect((await rig.sweep()).failed).toEqual([]);
    const deployment = await world.apps.readNamespacedDeployment({ namespace: world.namespace, name: "headroom" });
    expect(deployment.spec?.replicas).toBe(0);
    expect(await world.isHeld(deployment.metadata)).toBe(false);
    expect(rig.ofType("prescale_restored").find((n) => n.policy === "standing")).toMatchObject({
      reason: "expired",
      changes: [{ level: "replicas", from: 3, to: 0 }],
    });
  });
});
