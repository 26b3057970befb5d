// Blue-green on weighted DNS: CI reports a deployment, the traffic function shifts the ad server's records
// step by step to the new colour; the next rollout is caught by its alarm and rolled back.

import { randomUUID } from "node:crypto";
import { CloudWatchClient, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { deployDetailTypes, deploySource } from "../../../functions/core/traffic/inbound.ts";
import { adsApplication, rollbackAlarm } from "../traffic.ts";
import { type ScenarioContext, type ScenarioResult, sleep } from "./context.ts";

function event(source: string, detailType: string, detail: object) {
  const time = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source,
    account: "123456789012",
    time,
    region: "us-east-2",
    resources: [],
    detail,
  };
}

/** When the traffic function announced `type` (its notifications reach the live view's timeline). */
async function announced(ctx: ScenarioContext, type: string, since: number, timeoutMs = 90_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = (await (await fetch(`${ctx.info.statusUrl}/api/state`)).json()) as {
      timeline: { at: number; source: string; text: string }[];
    };
    const hit = state.timeline.find((e) => e.at >= since && e.source === "traffic" && e.text.startsWith(type));
    if (hit) return hit.at;
    await sleep(250);
  }
  throw new Error(`no ${type} from the traffic function in ${timeoutMs / 1000} s`);
}

export async function blueGreen(ctx: ScenarioContext): Promise<ScenarioResult> {
  const prefix = ctx.info.runId ?? "harbormaster-local";
  const alarm = `${prefix}-${rollbackAlarm}`;
  const route53 = new Route53Client({});
  const { HostedZones = [] } = await route53.send(new ListHostedZonesCommand({}));
  const zone = HostedZones.find((z) => z.Name === `${prefix}.local.`);
  if (!zone?.Id) throw new Error(`no hosted zone ${prefix}.local.: is the stack running?`);
  const weights = async () => {
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id }),
    );
    return Object.fromEntries(
      ResourceRecordSets.filter((s) => s.Type === "A" && s.Weight !== undefined).map((s) => [
        s.SetIdentifier ?? "",
        s.Weight ?? 0,
      ]),
    );
  };
  let last = "";
  const watch = async (label: string, done: (w: Record<string, number>) => boolean, timeoutMs = 90_000) => {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const w = await weights();
      const text = Object.entries(w)
        .map(([id, weight]) => `${id}=${weight}`)
        .join(" ");
      if (text !== last) await ctx.step("action", "traffic", `weights ${text}`);
      last = text;
      if (done(w)) return Date.now();
      await sleep(100);
    }
    throw new Error(`${label}: not reached in ${timeoutMs / 1000} s (weights ${last})`);
  };
  const deploy = async (target: string, revision: string) => {
    await ctx.put([
      event(deploySource, Object.keys(deployDetailTypes)[1] ?? "", { application: adsApplication, revision, target }),
    ]);
    await ctx.step("event", "ci", `deployment of ${revision} succeeded: roll ${target} out`);
  };

  // Rollout: all traffic to the idle colour, in the plan's steps.
  const start = await weights();
  const target = (start.green ?? 0) === 0 ? "green" : "blue";
  const other = target === "green" ? "blue" : "green";
  const t0 = Date.now();
  await deploy(target, "v2");
  const firstShift = (await watch("first shift", (w) => (w[target] ?? 0) > 0)) - t0;
  const complete = (await watch("rollout", (w) => w[target] === 100 && w[other] === 0)) - t0;
  // The last step bakes too; only then is the rollout complete and a new one accepted.
  const completed = (await announced(ctx, "rollout_completed", t0)) - t0;
  await ctx.step("action", "traffic", `rollout of ${target} completed`);

  // The next rollout goes back the other way; its alarm fires at the first step and rolls it back.
  await sleep(1000);
  await deploy(other, "v3");
  await watch("second rollout's first shift", (w) => (w[other] ?? 0) > 0);
  await new CloudWatchClient({}).send(
    new SetAlarmStateCommand({ AlarmName: alarm, StateValue: "ALARM", StateReason: "5xx on v3" }),
  );
  const t1 = Date.now();
  await ctx.put([
    event("aws.cloudwatch", "CloudWatch Alarm State Change", {
      alarmName: alarm,
      state: { value: "ALARM", reason: "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)." },
      previousState: { value: "OK", reason: "" },
    }),
  ]);
  await ctx.step("event", "cloudwatch", `${alarm} → ALARM`);
  const rolledBack = (await watch("rollback", (w) => w[target] === 100 && w[other] === 0)) - t1;
  await new CloudWatchClient({}).send(
    new SetAlarmStateCommand({ AlarmName: alarm, StateValue: "OK", StateReason: "reset" }),
  );
  return {
    measurements: [
      { name: "deploy event → first weight shift", samplesMs: [firstShift] },
      { name: "deploy event → 100% on the new colour", samplesMs: [complete] },
      { name: "deploy event → rollout completed", samplesMs: [completed] },
      { name: "ALARM → weights rolled back", samplesMs: [rolledBack] },
    ],
    facts: { target, final: await weights() },
  };
}
