// One arm of the cluster-upgrade scenario: start the upgrade as Slack would (its custom event), follow it
// to blue's release, put a spot warning on green's busiest node once green holds half the traffic, and
// measure every request the load sent meanwhile.
import { sharesOf } from "../provisioning.ts";
import type { WeightedLoad } from "../weighted-load.ts";
import { spotWarning } from "./aws-events.ts";
import { type ScenarioContext, sleep } from "./context.ts";
import { interruptNodes } from "./interrupt.ts";
import { type ArmFigures, requestFigures, stepFigures } from "./upgrade-figures.ts";
import { busiestNode } from "./upgrade-setup.ts";
import { announcements, capacityWaits, slackThread, stopped, upgradeEvent } from "./upgrade-timeline.ts";

export interface ArmInput {
  arm: string;
  upgrade: string;
  load: WeightedLoad;
  /** Every change of the weights the load saw: green's share, in percent. */
  changes: readonly { at: number; greenPercent: number }[];
  /** The scenario's context for green: its events are about green's instances. */
  green: ScenarioContext;
  namespace: string;
  /** The label selector of the HPA's workload: the spot warning goes to the node holding most of it. */
  selector: string;
  timeoutMs?: number;
}

async function spotOnGreen(input: ArmInput) {
  const { green } = input;
  const node = await busiestNode(green.core, input.namespace, input.selector, green.info.runId);
  if (!node) throw new Error("no uncordoned general-pool node left in green: restart the stack (npm start)");
  const drained = await interruptNodes(
    green,
    [node],
    (list) => green.put(list.map((n) => spotWarning(n.instanceId, n.zone))),
    { replace: true, what: "spot warning on green" },
  );
  return { node: node.name, drainedMs: drained.measurements[1]?.samplesMs[0] };
}

export async function playArm(ctx: ScenarioContext, input: ArmInput): Promise<ArmFigures> {
  const { load, upgrade } = input;
  const first = load.records.length;
  const t0 = Date.now();
  await ctx.put([upgradeEvent(upgrade, "start", "scenario")]);
  await ctx.step("event", "slack", `/hm upgrade start ${upgrade}: the custom event on the bus`);
  let spot: Promise<ArmFigures["spot"]> | undefined;
  let endAt: number | undefined;
  let shown = 0;
  let list: Awaited<ReturnType<typeof announcements>> = [];
  const deadline = t0 + (input.timeoutMs ?? 8 * 60_000);
  while (endAt === undefined) {
    if (Date.now() > deadline)
      throw new Error(
        `${upgrade}: not released in ${(deadline - t0) / 1000} s (last: ${list.at(-1)?.text ?? "nothing"})`,
      );
    list = await announcements(ctx, upgrade, t0);
    for (const a of list.slice(shown))
      ctx.print(`  +${((a.at - ctx.started) / 1000).toFixed(2).padStart(7)} s  action traffic        ${a.text}`);
    shown = list.length;
    const halt = list.find((a) => stopped.includes(a.type));
    if (halt) throw new Error(`${upgrade} stopped: ${halt.text}`);
    const greenShare = sharesOf(load.weights()).green ?? 0;
    // Halfway: once green takes half the requests, one of its spot nodes gets the two-minute warning.
    if (!spot && greenShare >= 0.5) {
      spot = spotOnGreen(input);
      // Awaited below; a failure must not go unhandled meanwhile.
      spot.catch(() => {});
    }
    endAt = list.find((a) => a.type === "upgrade_released")?.at;
    if (endAt === undefined) await sleep(1000);
  }
  const spotResult = await spot;
  const thread = await slackThread(ctx, upgrade);
  await ctx.step(
    "note",
    "slack",
    `the upgrade's thread${thread.channel ? ` in ${thread.channel}` : ""}: ${thread.replies.length} replies${thread.released ? ", release posted" : ""}`,
  );
  const end = endAt;
  const records = load.records.slice(first).filter((r) => r.at <= end);
  const fullAt = input.changes.find((c) => c.at >= t0 && c.greenPercent === 100)?.at ?? end;
  return {
    arm: input.arm,
    upgrade,
    ...requestFigures(records),
    steps: stepFigures(
      input.changes.filter((c) => c.at <= end),
      t0,
      capacityWaits(list),
    ),
    toFullMs: fullAt - t0,
    totalMs: end - t0,
    spot: spotResult,
    slackReplies: thread.replies.length,
  };
}
