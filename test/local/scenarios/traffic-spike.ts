// A traffic spike: the ad server's p99 alarm fires while load jumps. Pre-scaling doubles the HPA floor and
// holds headroom placeholders in the general pool; when the alarm returns to OK the floor comes back down.
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type StateValue,
} from "@aws-sdk/client-cloudwatch";
import { alarmStateChange } from "../../fixtures/prescaling-events.ts";
import { startLoad } from "../load.ts";
import { spikeAlarm } from "../policies.ts";
import { type ScenarioContext, type ScenarioResult, sleep } from "./context.ts";

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  return undefined;
}

export async function trafficSpike(ctx: ScenarioContext): Promise<ScenarioResult> {
  const renamed = (name: string) => (ctx.info.runId ? `${ctx.info.runId}-${name}` : name);
  const alarm = renamed(spikeAlarm);
  const namespace = renamed("adserver");
  const headroomNamespace = renamed("harbormaster-system");
  const cloudwatch = new CloudWatchClient({});
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarm,
      Namespace: "Harbormaster/Adserver",
      MetricName: "LatencyP99",
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 50,
      ComparisonOperator: "GreaterThanThreshold",
    }),
  );
  const setState = async (value: StateValue) => {
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: alarm, StateValue: value, StateReason: "local scenario" }),
    );
    await ctx.put([alarmStateChange(alarm, value as "ALARM" | "OK")]);
    await ctx.step("event", "cloudwatch", `${alarm} → ${value}`);
  };
  const floor = async () =>
    (await ctx.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: "adserver", namespace })).spec?.minReplicas ??
    0;
  const running = async (ns: string, app: string) =>
    (await ctx.core.listNamespacedPod({ namespace: ns, labelSelector: `app.kubernetes.io/name=${app}` })).items.filter(
      (p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp,
    ).length;

  const before = await floor();
  const spike = ctx.info.adserverUrl
    ? startLoad("adserver spike", `${ctx.info.adserverUrl}/v1/ad?slot=home_top&uid=u2&device=mobile&country=US`, 8)
    : undefined;
  await ctx.step("note", "load", "request rate jumps (8 more concurrent clients)");
  const t0 = Date.now();
  await setState("ALARM");
  const raised = await until(async () => ((await floor()) > before ? Date.now() - t0 : undefined));
  const target = await floor();
  if (raised !== undefined) await ctx.step("action", "harbormaster", `adserver HPA floor ${before} → ${target}`);
  const scaled = await until(async () =>
    (await running(namespace, "adserver")) >= target ? Date.now() - t0 : undefined,
  );
  if (scaled !== undefined) await ctx.step("action", "kubernetes", `${target} adserver pods running`);
  const held = await until(async () =>
    (await running(headroomNamespace, "headroom")) >= 4 ? Date.now() - t0 : undefined,
  );
  if (held !== undefined) await ctx.step("action", "harbormaster", "4 headroom placeholders held in the general pool");
  await sleep(2000);
  const t1 = Date.now();
  await setState("OK");
  const restored = await until(async () => ((await floor()) === before ? Date.now() - t1 : undefined));
  if (restored !== undefined) await ctx.step("action", "harbormaster", `adserver HPA floor back to ${before}`);
  const load = await spike?.stop();
  if (load)
    await ctx.step(
      "note",
      "load",
      `spike: ${load.requests} requests, ${load.errors} errors, p99 ${load.p99Ms.toFixed(1)} ms`,
    );
  const one = (v: number | undefined) => (v === undefined ? [] : [v]);
  return {
    measurements: [
      { name: "ALARM → HPA floor raised", samplesMs: one(raised) },
      { name: "ALARM → pods running at the floor", samplesMs: one(scaled) },
      { name: "ALARM → headroom held", samplesMs: one(held) },
      { name: "OK → floor restored", samplesMs: one(restored) },
    ],
    facts: { before, raisedTo: target, restored: restored !== undefined, headroomHeld: held !== undefined },
  };
}
