import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { slackRig } from "../../helpers/slack-rig.ts";
import { trafficRig } from "../../helpers/traffic-rig.ts";
import { audits, commandRunner } from "./run-command.ts";

// Slack → Function URL → Slack queue → worker → a Traffic Control event on the bus → the stack's control rule
// → the traffic function → Route53 weights in the emulator, with the rollout's state in its TXT record.
describe("shift from Slack, end to end through the traffic function", () => {
  let traffic: Awaited<ReturnType<typeof trafficRig>>;
  let slack: Awaited<ReturnType<typeof slackRig>>;
  let run: ReturnType<typeof commandRunner>;
  const opened: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    traffic = await trafficRig();
    slack = await slackRig({ env: { HARBORMASTER_SLACK_TRAFFIC_BUS: traffic.bus } });
    opened.push(slack);
    run = commandRunner(slack);
  });

  afterAll(async () => {
    for (const rig of opened) await rig.close();
  });

  const threads = () => new Set(traffic.notifications.map((n) => n.threadKey));

  it("with no rollout, moves the idle set to the percent, and rollback restores the weights", async () => {
    const { confirmed, text } = await run("shift app 30");
    expect(confirmed).toBe(true);
    expect(text).toBe("shift app 30: shift to 30% sent to the rollout of app; its thread shows the outcome");
    expect(audits(slack).at(-1)?.text).toContain("ran shift app 30");
    expect((await traffic.deliver()).delivered).toBe(1);
    expect(await traffic.weights()).toEqual({ blue: 70, green: 30 });
    expect(await traffic.metadata()).toMatchObject({
      target: "green",
      status: "paused",
      baseline: { blue: 100, green: 0 },
      reason: "shifted to 30% by slack:U0ALICE (requested from Slack)",
    });
    expect(traffic.types()).toEqual(["rollout_started", "rollout_shifted"]);
    expect(threads().size).toBe(1);

    await run("rollback app");
    await traffic.deliver();
    expect(await traffic.weights()).toEqual({ blue: 100, green: 0 });
    expect(await traffic.metadata()).toMatchObject({ status: "aborted" });
  });

  it("in a rollout, pauses the plan at the percent; resume carries on; rollback returns to the pre-rollout weights", async () => {
    await traffic.put("harbormaster.deploy", "Deployment Succeeded", { application: "shop", target: "green" });
    await traffic.deliver();
    expect(await traffic.weights()).toEqual({ blue: 90, green: 10 });
    const { rolloutId } = (await traffic.metadata()) ?? {};

    // By record name, as people know the domain; the rollout's own schedule is cancelled: the plan waits.
    await run(`shift ${traffic.recordName.replace(/\.$/, "")} 50`);
    await traffic.deliver();
    expect(await traffic.weights()).toEqual({ blue: 50, green: 50 });
    expect(await traffic.metadata()).toMatchObject({ rolloutId, status: "paused", step: 0 });
    expect(await traffic.schedules()).toEqual([]);
    expect(traffic.notifications.at(-1)).toMatchObject({
      type: "rollout_shifted",
      percent: 50,
      actor: "slack:U0ALICE",
    });
    expect(threads().size).toBe(1);

    await run("resume app");
    await traffic.deliver();
    await traffic.fireLatestSchedule();
    expect(await traffic.weights()).toEqual({ blue: 0, green: 100 });

    await run("rollback app");
    await traffic.deliver();
    expect(await traffic.weights()).toEqual({ blue: 100, green: 0 });
    expect(await traffic.metadata()).toMatchObject({ rolloutId, status: "aborted" });
  });

  it("to a set the domain does not have is refused with the reason, and nothing moves", async () => {
    await run("shift app 40 to red");
    await traffic.deliver();
    expect(await traffic.weights()).toEqual({ blue: 100, green: 0 });
    expect(traffic.notifications.at(-1)).toMatchObject({
      type: "rollout_refused",
      reason: "target red is not one of blue, green",
    });
  });
});
