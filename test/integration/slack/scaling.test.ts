import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hpaPolicy } from "../../fixtures/prescaling-policies.ts";
import { type PrescalingRig, prescalingRig } from "../../helpers/prescaling.ts";
import { slackRig } from "../../helpers/slack-rig.ts";
import { eventually, uniqueName } from "../../helpers/testbed.ts";
import { type PrescalingWorld, prescalingWorld } from "../prescaling/setup.ts";
import { audits, commandRunner } from "./run-command.ts";

// Slack → Function URL → Slack queue → worker → the cluster's pre-scaling queue → the pre-scaling handler →
// the testbed's HPA and headroom Deployment; the sweep ends each hold when its duration is up.
describe("scale and headroom from Slack, end to end through the pre-scaling function", () => {
  let world: PrescalingWorld;
  let rig: PrescalingRig;
  let slack: Awaited<ReturnType<typeof slackRig>>;
  let run: ReturnType<typeof commandRunner>;
  const alarm = uniqueName("web-p99");
  const minute = 60_000;

  beforeAll(async () => {
    world = await prescalingWorld("slack-scale", { nodeCpu: "4" });
    await world.app("web", 1, "100m", 1, 8);
    rig = await prescalingRig(
      [
        hpaPolicy({
          name: "surge",
          alarms: [alarm],
          targets: [{ namespace: world.namespace, name: "web" }],
          floor: { mode: "absolute", replicas: 3 },
        }),
        {
          name: "room",
          headroom: {
            namespace: world.namespace,
            name: "headroom",
            priorityClassName: world.priorityClass,
            unit: { cpu: "100m", memory: "64Mi" },
            nodeSelector: world.pool,
            sizing: { mode: "units", units: 1 },
          },
        },
      ],
      { HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: world.namespace },
    );
    slack = await slackRig({
      env: { HARBORMASTER_SLACK_PRESCALING_QUEUES: JSON.stringify({ testbed: rig.queueUrl }) },
    });
    run = commandRunner(slack);
  });

  afterEach(() => {
    rig.clock.offsetMs = 0;
  });

  afterAll(async () => {
    await slack?.close();
    await world?.cleanup();
  });

  const minReplicas = async () => (await world.readHpa("web")).spec?.minReplicas;

  it("scale asks for confirmation, holds the floor, audits, and the sweep restores it when the duration ends", async () => {
    const text = `scale ${world.namespace}/web 4 for 2h`;
    const { confirmed, text: answer } = await run(text);
    expect(confirmed).toBe(true);
    expect(answer).toBe(
      `${text} on testbed: sent to pre-scaling on testbed: minReplicas of ${world.namespace}/web held at 4 or more for 2h, then restored; its thread shows the outcome`,
    );
    expect(audits(slack).at(-1)?.text).toContain(`ran ${text} on testbed: sent to pre-scaling`);
    expect(await rig.poll()).toEqual({ failed: [] });
    expect(await minReplicas()).toBe(4);
    expect(await world.isHeld((await world.readHpa("web")).metadata)).toBe(true);
    const [raised] = rig.ofType("prescale_raised").slice(-1);
    expect(raised).toMatchObject({
      policy: "command:slack",
      trigger: "command by slack:U0ALICE",
      targets: [{ changes: [{ level: "min", from: 1, to: 4 }] }],
    });

    rig.clock.advance(119 * minute);
    await rig.sweep();
    expect(await minReplicas()).toBe(4);
    rig.clock.advance(2 * minute);
    await rig.sweep();
    expect(await minReplicas()).toBe(1);
    expect(await world.isHeld((await world.readHpa("web")).metadata)).toBe(false);
    expect(rig.ofType("prescale_restored").at(-1)).toMatchObject({ reason: "expired", changes: [{ to: 1 }] });
  });

  it("meets a policy's hold on the same HPA: the higher floor wins, and the original returns after both", async () => {
    await rig.setAlarm(alarm, "ALARM");
    await rig.poll();
    expect(await minReplicas()).toBe(3);

    await run(`scale ${world.namespace}/web 5`);
    await rig.poll();
    expect(await minReplicas()).toBe(5);

    await run(`scale ${world.namespace}/web 2`);
    await rig.poll();
    expect(await minReplicas()).toBe(3); // the alarm's floor is higher than the command's

    await rig.setAlarm(alarm, "OK");
    await rig.poll();
    expect(await minReplicas()).toBe(2); // the command still holds

    await run(`scale ${world.namespace}/web 1`); // at the original: ends the command's hold
    await rig.poll();
    expect(await minReplicas()).toBe(1);
    expect(await world.isHeld((await world.readHpa("web")).metadata)).toBe(false);
  });

  it("a redelivered command message changes nothing", async () => {
    const body = JSON.stringify({
      harbormaster: "prescaling",
      action: "command",
      command: { kind: "scale", namespace: world.namespace, name: "web", min: 2, forSeconds: 600 },
      actor: "slack:U0ALICE",
      requestId: uniqueName("request"),
      at: Date.now(),
    });
    await rig.sqs.send(new SendMessageCommand({ QueueUrl: rig.queueUrl, MessageBody: body }));
    await rig.poll();
    const first = await world.readHpa("web");
    expect(first.spec?.minReplicas).toBe(2);
    await rig.sqs.send(new SendMessageCommand({ QueueUrl: rig.queueUrl, MessageBody: body }));
    await rig.poll();
    const second = await world.readHpa("web");
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    rig.clock.advance(11 * minute);
    await rig.sweep();
    expect(await minReplicas()).toBe(1);
  });

  it("headroom sets the placeholder Deployment's replicas, and the sweep puts them back", async () => {
    const { text } = await run("headroom 2 for 30m");
    expect(text).toContain("headroom held at 2 placeholder pods for 30m, then restored");
    await rig.poll();
    const replicas = async () =>
      (await world.apps.readNamespacedDeployment({ namespace: world.namespace, name: "headroom" })).spec?.replicas;
    expect(await replicas()).toBe(2);
    await eventually(async () => {
      const { running } = await world.pods("harbormaster.io/headroom=headroom");
      if (running.length !== 2) throw new Error(`${running.length}/2 placeholders running`);
    });
    expect(rig.ofType("prescale_raised").at(-1)?.headroom).toMatchObject({ wantedUnits: 2, shortUnits: 0 });

    rig.clock.advance(31 * minute);
    await rig.sweep();
    expect(await replicas()).toBe(0);
  });

  it.each([
    ["kube-system/coredns", "pre-scaling holds HPAs only in"],
    ["NS/nope", "no HPA NS/nope"],
  ])("scale %s is refused in its thread, with the reason", async (target, reason) => {
    const hpa = target.replace("NS", world.namespace);
    await run(`scale ${hpa} 3`);
    await rig.poll();
    expect(rig.ofType("prescale_failed").at(-1)?.reason).toContain(reason.replace("NS", world.namespace));
  });

  it("a cluster with no pre-scaling queue answers so", async () => {
    const other = await slackRig();
    try {
      const { text } = await commandRunner(other)(`scale ${world.namespace}/web 3`);
      expect(text).toContain("failed: pre-scaling is not deployed for cluster testbed");
    } finally {
      await other.close();
    }
  });
});
