import { describe, expect, it } from "vitest";
import { trafficRig } from "../../helpers/traffic-rig.ts";

const deployed = { application: "shop", revision: "abc123", target: "green", environment: "production" };

describe("a rollout through Route53 weights, in the emulator", () => {
  it("shifts a canary, bakes, goes to 100 percent and completes, scheduling each step", async () => {
    const rig = await trafficRig({ plan: "Canary10Percent5Minutes" });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    expect((await rig.deliver()).delivered).toBe(1);

    expect(await rig.weights()).toEqual({ blue: 90, green: 10 });
    const first = await rig.metadata();
    expect(first).toMatchObject({
      status: "running",
      target: "green",
      step: 0,
      revision: 1,
      baseline: { blue: 100, green: 0 },
    });
    // Bake: the 5-minute canary pause, longer than TTL 60 s + the alarm's 2 × 60 s window.
    expect((first?.bakeUntil ?? 0) - (first?.updatedAt ?? 0)).toBe(300_000);
    const [schedule] = await rig.schedules();
    expect(schedule?.ActionAfterCompletion).toBe("DELETE");
    expect(schedule?.FlexibleTimeWindow?.Mode).toBe("OFF");
    expect(JSON.parse(schedule?.Target?.Input ?? "{}")).toMatchObject({ domain: "app", revision: 1 });
    expect(Date.parse(`${/at\((.*)\)/.exec(schedule?.ScheduleExpression ?? "")?.[1]}Z`)).toBeGreaterThanOrEqual(
      first?.bakeUntil ?? Number.POSITIVE_INFINITY,
    );

    await rig.fireLatestSchedule();
    expect(await rig.weights()).toEqual({ blue: 0, green: 100 });
    expect((await rig.metadata())?.status).toBe("running");
    await rig.fireLatestSchedule(); // the last step baked: the gate passes once more
    expect(await rig.metadata()).toMatchObject({ status: "completed", revision: 3 });
    expect(await rig.weights()).toEqual({ blue: 0, green: 100 });

    expect(rig.types()).toEqual([
      "rollout_started",
      "rollout_step",
      "deploy_event",
      "rollout_step",
      "rollout_completed",
    ]);
    expect(new Set(rig.notifications.map((n) => n.threadKey)).size).toBe(1);
  });

  it("runs a step once however often its schedule fires", async () => {
    const rig = await trafficRig({ plan: "Linear10PercentEvery1Minute" });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    const [schedule] = await rig.schedules();
    const input = JSON.parse(schedule?.Target?.Input ?? "{}");
    rig.clock.advance(10 * 60_000);
    await rig.invoke(input);
    await rig.invoke(input); // Scheduler retries, or a duplicate delivery
    expect(await rig.weights()).toEqual({ blue: 80, green: 20 });
    expect((await rig.metadata())?.revision).toBe(2);
  });

  it("redelivered deploy events start one rollout; a deploy for no domain still posts", async () => {
    const rig = await trafficRig();
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    const [event] = await rig.receive();
    await rig.invoke(event);
    await rig.invoke(event); // EventBridge delivers at least once
    expect((await rig.metadata())?.revision).toBe(1);
    expect(rig.types().filter((t) => t === "rollout_started")).toHaveLength(1);

    await rig.put("harbormaster.deploy", "Deployment Succeeded", { application: "image-pushed", revision: "def" });
    await rig.deliver();
    const posted = rig.notifications.at(-1);
    expect(posted).toMatchObject({
      type: "deploy_event",
      application: "image-pushed",
      threadKey: "deploy/image-pushed/def",
    });
    expect(posted).toMatchObject({ rolloutId: undefined });
  });

  it("refuses records it does not know and leaves them as they are", async () => {
    const rig = await trafficRig({ sets: { blue: 100, green: 0, stranger: 5 } });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    expect(await rig.weights()).toEqual({ blue: 100, green: 0, stranger: 5 });
    expect(await rig.metadata()).toBeUndefined();
    const refused = rig.notifications.find((n) => n.type === "rollout_refused");
    expect(refused?.type === "rollout_refused" && refused.reason).toContain("stranger");
  });

  it("refuses to start when the target already has all the traffic (every other weight 0)", async () => {
    const rig = await trafficRig({ sets: { blue: 0, green: 100 } });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    expect(await rig.weights()).toEqual({ blue: 0, green: 100 });
    expect(rig.types()).toContain("rollout_refused");
  });
});
