import { describe, expect, it } from "vitest";
import { systemClock } from "../../../functions/adapters/clock.ts";
import { Route53Records } from "../../../functions/adapters/traffic/route53-records.ts";
import { loadTrafficConfig } from "../../../functions/config/traffic-config.ts";
import { ConcurrentModification } from "../../../functions/core/traffic/errors.ts";
import { trafficRig } from "../../helpers/traffic-rig.ts";

const deployed = { application: "shop", revision: "abc123", target: "green" };

describe("rollback, gates and manual control", () => {
  it("rolls back at once on an alarm's ALARM state-change event, and the pending step then does nothing", async () => {
    const rig = await trafficRig({ plan: "Linear10PercentEvery1Minute" });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    await rig.fireLatestSchedule();
    expect(await rig.weights()).toEqual({ blue: 80, green: 20 });

    await rig.alarmFires(rig.alarms[0] as string);
    expect((await rig.deliver()).delivered).toBe(1);
    expect(await rig.weights()).toEqual({ blue: 100, green: 0 });
    expect(await rig.metadata()).toMatchObject({ status: "rolled_back" });
    const rolledBack = rig.notifications.find((n) => n.type === "rollout_rolled_back");
    expect(rolledBack).toMatchObject({ alarm: rig.alarms[0], weights: { blue: 100, green: 0 } });
    expect(await rig.schedules()).toHaveLength(0); // the pending step's schedule was deleted

    await rig.invoke({
      harbormaster: "harbormaster.traffic.step",
      domain: "app",
      rolloutId: rolledBack?.rolloutId,
      revision: 2,
    });
    expect(await rig.weights()).toEqual({ blue: 100, green: 0 });
  });

  it("an alarm back to OK is not matched by the rule; an unrelated alarm rolls nothing back", async () => {
    const rig = await trafficRig();
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    await rig.put("aws.cloudwatch", "CloudWatch Alarm State Change", {
      alarmName: rig.alarms[0],
      state: { value: "OK", reason: "" },
    });
    await rig.put("aws.cloudwatch", "CloudWatch Alarm State Change", { alarmName: "other", state: { value: "ALARM" } });
    expect(await rig.receive(1, 3)).toEqual([]);
    expect(await rig.weights()).toEqual({ blue: 90, green: 10 });
  });

  it("the gate before a step reads the alarm: in ALARM, the step rolls back instead", async () => {
    const rig = await trafficRig();
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    await rig.setAlarm(rig.alarms[0] as string, "ALARM"); // no event reached us, the gate still sees it
    await rig.fireLatestSchedule();
    expect(await rig.weights()).toEqual({ blue: 100, green: 0 });
    expect(await rig.metadata()).toMatchObject({ status: "rolled_back" });
  });

  it.each([
    ["wait", "rollout_waiting", { blue: 90, green: 10 }, "running"],
    ["rollback", "rollout_rolled_back", { blue: 100, green: 0 }, "rolled_back"],
    ["proceed", "rollout_step", { blue: 0, green: 100 }, "running"],
  ] as const)("INSUFFICIENT_DATA under %s", async (policy, notified, weights, status) => {
    const rig = await trafficRig({ insufficientData: policy });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    await rig.setAlarm(rig.alarms[0] as string, "INSUFFICIENT_DATA");
    await rig.fireLatestSchedule();
    expect(rig.types().at(-1)).toBe(notified);
    expect(await rig.weights()).toEqual(weights);
    expect((await rig.metadata())?.status).toBe(status);
  });

  it("pauses and resumes through control events; a paused rollout's schedule does nothing", async () => {
    const rig = await trafficRig({ plan: "Linear10PercentEvery1Minute" });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    const [pending] = await rig.schedules();

    await rig.put("harbormaster.traffic", "Traffic Control", { domain: "app", action: "pause", actor: "alice" });
    await rig.deliver();
    expect(await rig.metadata()).toMatchObject({ status: "paused", reason: "pause by alice" });
    rig.clock.advance(10 * 60_000);
    await rig.invoke(JSON.parse(pending?.Target?.Input ?? "{}"));
    expect(await rig.weights()).toEqual({ blue: 90, green: 10 });

    await rig.put("harbormaster.traffic", "Traffic Control", { domain: "app", action: "resume", actor: "alice" });
    await rig.deliver();
    expect((await rig.metadata())?.status).toBe("running");
    await rig.fireLatestSchedule();
    expect(await rig.weights()).toEqual({ blue: 80, green: 20 });
    expect(rig.types()).toEqual([
      "rollout_started",
      "rollout_step",
      "deploy_event",
      "rollout_paused",
      "rollout_resumed",
      "rollout_step",
    ]);
  });

  it("promote takes the target to 100 percent; abort restores the baseline", async () => {
    const rig = await trafficRig({ plan: "Linear10PercentEvery10Minutes" });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    await rig.put("harbormaster.traffic", "Traffic Control", { domain: "app", action: "promote" });
    await rig.deliver();
    expect(await rig.weights()).toEqual({ blue: 0, green: 100 });
    expect((await rig.metadata())?.status).toBe("completed");

    await rig.put("harbormaster.deploy", "Deployment Succeeded", { ...deployed, revision: "b2", target: "blue" });
    await rig.deliver();
    expect(await rig.weights()).toEqual({ blue: 10, green: 90 });
    await rig.put("harbormaster.traffic", "Traffic Control", { domain: "app", action: "abort", reason: "wrong build" });
    await rig.deliver();
    expect(await rig.weights()).toEqual({ blue: 0, green: 100 });
    expect(await rig.metadata()).toMatchObject({ status: "aborted", reason: "wrong build" });
  });
});

describe("concurrent modification", () => {
  it("a weight changed by hand since the rollout's last write: the step writes nothing and says so", async () => {
    const rig = await trafficRig();
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    await rig.upsertWeight("green", 50); // someone in the console
    await rig.fireLatestSchedule();
    expect(await rig.weights()).toEqual({ blue: 90, green: 50 });
    expect(rig.notifications.at(-1)).toMatchObject({
      type: "rollout_conflict",
      reason: "weights were changed outside the rollout",
    });
  });

  it("a change between the read and the write fails the whole batch (delete-and-create compare-and-swap)", async () => {
    const rig = await trafficRig();
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    const [domain] = loadTrafficConfig(rig.env).domains;
    if (!domain) throw new Error("no domain");
    const records = new Route53Records(systemClock, 10_000);
    const snapshot = await records.read(domain);
    const metadata = snapshot.metadata;
    if (!metadata) throw new Error("no metadata");

    await rig.upsertWeight("blue", 77); // lands between our read and our write
    const write = records.swap(domain, snapshot, { blue: 0, green: 100 }, { ...metadata, revision: 2 });
    await expect(write).rejects.toBeInstanceOf(ConcurrentModification);
    expect(await rig.weights()).toEqual({ blue: 77, green: 10 }); // nothing of the batch applied
    expect((await rig.metadata())?.revision).toBe(1);
  });

  it("two runs of the same step racing: one writes, the other loses the swap and re-reads", async () => {
    const rig = await trafficRig({ plan: "Linear10PercentEvery1Minute" });
    await rig.put("harbormaster.deploy", "Deployment Succeeded", deployed);
    await rig.deliver();
    const [schedule] = await rig.schedules();
    const input = JSON.parse(schedule?.Target?.Input ?? "{}");
    rig.clock.advance(10 * 60_000);
    const outcomes = await Promise.all([rig.invoke(input), rig.invoke(input), rig.invoke(input)]);
    expect(await rig.weights()).toEqual({ blue: 80, green: 20 });
    expect((await rig.metadata())?.revision).toBe(2);
    expect(outcomes.flat().filter((o) => o.result === "running")).toHaveLength(1);
    expect(rig.types().filter((t) => t === "rollout_step")).toHaveLength(2);
  });
});
