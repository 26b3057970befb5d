// The cluster-upgrade scenario's figures from what it recorded: every request of an arm (cluster, status,
// latency, under-provisioned or not), the weights as the load saw them change, and the upgrade's own step
// notifications; and the side-by-side table it prints.
import { percentile } from "../load.ts";
import { failed, type RequestRecord } from "../weighted-load.ts";

export interface StepFigure {
  /** Green's share once the step's weights were live, in percent. */
  percent: number;
  /** From the previous step's weights (or the start event) to this step's weights being live. */
  ms: number;
  /** What the upgrade reported waiting for mirrored pods, when it says. */
  capacityWaitMs?: number;
}

export interface ArmFigures {
  arm: string;
  upgrade: string;
  requests: number;
  failed: number;
  /** Requests sent to a cluster with fewer Ready pods than its share needs. */
  underProvisioned: number;
  underProvisionedPercent: number;
  /** The largest shortfall a request met: the cluster, the pods its share needed and those Ready. */
  worst?: { cluster: string; need: number; ready: number };
  byCluster: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  steps: StepFigure[];
  /** Start event → green at 100 %, and start event → the upgrade's end (released). */
  toFullMs: number;
  totalMs: number;
  spot?: { node: string; drainedMs?: number };
  /** Replies in the upgrade's Slack thread (the local Slack view). */
  slackReplies?: number;
}

export function requestFigures(records: readonly RequestRecord[]) {
  const under = records.filter((r) => r.underProvisioned);
  const worst = under.reduce<RequestRecord | undefined>(
    (w, r) => (!w || r.need - r.ready > w.need - w.ready ? r : w),
    undefined,
  );
  const byCluster: Record<string, number> = {};
  for (const r of records) byCluster[r.cluster] = (byCluster[r.cluster] ?? 0) + 1;
  const latencies = records.map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    requests: records.length,
    failed: records.filter(failed).length,
    underProvisioned: under.length,
    underProvisionedPercent: records.length ? (100 * under.length) / records.length : 0,
    worst: worst ? { cluster: worst.cluster, need: worst.need, ready: worst.ready } : undefined,
    byCluster,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** Steps as the weights moved: each change of green's share after `startedAt` is one step going live. */
export function stepFigures(
  changes: readonly { at: number; greenPercent: number }[],
  startedAt: number,
  capacityWaits: ReadonlyMap<number, number> = new Map(),
): StepFigure[] {
  const steps: StepFigure[] = [];
  let from = startedAt;
  for (const change of changes) {
    if (change.at < startedAt) continue;
    steps.push({
      percent: change.greenPercent,
      ms: change.at - from,
      capacityWaitMs: capacityWaits.get(change.greenPercent),
    });
    from = change.at;
  }
  return steps;
}

const seconds = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);

/** Two (or more) arms side by side, one column each. */
export function formatArms(arms: readonly ArmFigures[]): string {
  const rows: [string, (a: ArmFigures) => string][] = [
    ["upgrade", (a) => a.upgrade],
    ["requests", (a) => String(a.requests)],
    ["  to blue / green", (a) => `${a.byCluster.blue ?? 0} / ${a.byCluster.green ?? 0}`],
    ["failed", (a) => String(a.failed)],
    ["to an under-provisioned cluster", (a) => `${a.underProvisioned} (${a.underProvisionedPercent.toFixed(1)} %)`],
    ["  worst: pods needed / Ready", (a) => (a.worst ? `${a.worst.cluster} ${a.worst.need} / ${a.worst.ready}` : "-")],
    ["latency p50 / p99", (a) => `${a.p50Ms.toFixed(1)} / ${a.p99Ms.toFixed(1)} ms`],
  ];
  const stepCount = Math.max(0, ...arms.map((a) => a.steps.length));
  for (let i = 0; i < stepCount; i++)
    rows.push([
      `step ${i + 1}`,
      (a) => {
        const s = a.steps[i];
        if (!s) return "-";
        const wait = s.capacityWaitMs === undefined ? "" : ` (capacity ${seconds(s.capacityWaitMs)})`;
        return `${s.percent} % in ${seconds(s.ms)}${wait}`;
      },
    ]);
  rows.push(
    ["start → green at 100 %", (a) => seconds(a.toFullMs)],
    ["total (start → blue released)", (a) => seconds(a.totalMs)],
    [
      "spot warning on green → drained",
      (a) => (a.spot ? `${seconds(a.spot.drainedMs)} (${a.spot.node.split(".")[0]})` : "-"),
    ],
    ["replies in its Slack thread", (a) => (a.slackReplies === undefined ? "-" : String(a.slackReplies))],
  );
  const width = 34;
  const column = Math.max(24, ...arms.flatMap((a) => rows.map(([, cell]) => cell(a).length + 2)));
  const lines = [`  ${"".padEnd(width)}${arms.map((a) => a.arm.padStart(column)).join("")}`];
  for (const [label, cell] of rows)
    lines.push(`  ${label.padEnd(width)}${arms.map((a) => cell(a).padStart(column)).join("")}`);
  return lines.join("\n");
}
