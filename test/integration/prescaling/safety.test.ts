import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hpaPolicy } from "../../fixtures/prescaling-policies.ts";
import { type PrescalingRig, prescalingRig } from "../../helpers/prescaling.ts";
import { uniqueName } from "../../helpers/testbed.ts";
import { type PrescalingWorld, prescalingWorld } from "./setup.ts";

describe("restores that stay safe without a state store", () => {
  let world: PrescalingWorld;
  let rig: PrescalingRig;
  const hour = 3_600_000;
  const expiring = uniqueName("expiring");
  const edited = uniqueName("edited");
  const capped = uniqueName("capped");
  const lifted = uniqueName("lifted");

  beforeAll(async () => {
    world = await prescalingWorld("prescale-safety", { nodeCpu: "16" });
    for (const app of ["web", "feed", "search", "media"]) await world.app(app, 2, "100m", 2, 10);
    const on = (name: string) => [{ namespace: world.namespace, name }];
    rig = await prescalingRig([
      hpaPolicy({ name: "expiring", alarms: [expiring], targets: on("web"), maxDurationMinutes: 60 }),
      hpaPolicy({ name: "edited", alarms: [edited], targets: on("feed"), cooldownMinutes: 5 }),
      hpaPolicy({ name: "capped", alarms: [capped], targets: on("search"), floor: { mode: "absolute", replicas: 30 } }),
      hpaPolicy({
        name: "lifted",
        alarms: [lifted],
        targets: on("media"),
        floor: { mode: "absolute", replicas: 30 },
        maxReplicas: "raise",
      }),
    ]);
  });

  afterAll(() => world.cleanup());

  it("restores at the expiry when OK never comes", async () => {
    await rig.setAlarm(expiring, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    expect((await world.readHpa("web")).spec?.minReplicas).toBe(4);

    rig.clock.advance(hour - 60_000);
    await rig.sweep();
    expect((await world.readHpa("web")).spec?.minReplicas).toBe(4);

    rig.clock.advance(2 * 60_000);
    await rig.sweep();
    const hpa = await world.readHpa("web");
    expect(hpa.spec?.minReplicas).toBe(2);
    expect(await world.isHeld(hpa.metadata)).toBe(false);
    expect(rig.ofType("prescale_restored").find((n) => n.policy === "expiring")).toMatchObject({ reason: "expired" });
    rig.clock.offsetMs = 0;
  });

  it("never lowers a floor a person raised in the meantime", async () => {
    await rig.setAlarm(edited, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    expect((await world.readHpa("feed")).spec?.minReplicas).toBe(4);

    // A person raises it further by hand, as kubectl would.
    await world.autoscaling.patchNamespacedHorizontalPodAutoscaler({
      namespace: world.namespace,
      name: "feed",
      body: [{ op: "replace", path: "/spec/minReplicas", value: 7 }],
    });
    await rig.setAlarm(edited, "OK");
    expect((await rig.poll()).failed).toEqual([]);
    rig.clock.advance(6 * 60_000);
    await rig.sweep();
    rig.clock.offsetMs = 0;

    const hpa = await world.readHpa("feed");
    expect(hpa.spec?.minReplicas).toBe(7);
    expect(await world.isHeld(hpa.metadata)).toBe(false);
    expect(rig.ofType("prescale_overridden")).toMatchObject([{ policy: "edited", level: "min", ours: 4, theirs: 7 }]);
    expect(rig.ofType("prescale_restored").find((n) => n.policy === "edited")).toMatchObject({
      changes: [],
      kept: [{ level: "min", value: 7, reason: "changed_by_a_person" }],
    });
  });

  it("caps the floor at maxReplicas and says so, when the policy keeps maxReplicas", async () => {
    await rig.setAlarm(capped, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    const hpa = await world.readHpa("search");
    expect(hpa.spec?.minReplicas).toBe(10);
    expect(hpa.spec?.maxReplicas).toBe(10);
    const raised = rig.ofType("prescale_raised").find((n) => n.policy === "capped");
    expect(raised?.targets[0]?.capped).toEqual({ wanted: 30, max: 10 });
  });

  it("raises maxReplicas with the floor only when the policy says so, and restores both", async () => {
    await rig.setAlarm(lifted, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    let hpa = await world.readHpa("media");
    expect([hpa.spec?.minReplicas, hpa.spec?.maxReplicas]).toEqual([30, 30]);

    await rig.setAlarm(lifted, "OK");
    expect((await rig.poll()).failed).toEqual([]);
    hpa = await world.readHpa("media");
    expect([hpa.spec?.minReplicas, hpa.spec?.maxReplicas]).toEqual([2, 10]);
  });
});
