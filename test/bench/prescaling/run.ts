// Benchmark: event → HPA patched and event → pods Running in the testbed (Harbormaster against a direct
// in-process patch, alternately), then the spike simulation with the measured latency. Prints tables,
// writes test/bench/results/prescaling.json and docs/prescaling-spike.svg.
//
//   npm run bench:prescaling -- [pairs=5]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { silentProgress } from "../../testbed/progress.ts";
import { startTestbed } from "../../testbed/testbed.ts";
import { spikeChart } from "./chart.ts";
import { type LatencyRun, latencyBench, type Variant } from "./latency.ts";
import { seedModel, simulate, strategies } from "./simulate.ts";

const pairs = Number(process.argv[2] ?? 5);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const root = join(import.meta.dirname, "..", "..", "..");

process.env.AWS_REGION = "us-east-2";
process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
process.env.POWERTOOLS_METRICS_DISABLED = "true";
process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const ms = (v: number) => `${Math.round(v).toLocaleString("en-US")} ms`;

const started = Date.now();
log("starting a testbed");
const testbed = await startTestbed({ progress: silentProgress });
process.env.AWS_ENDPOINT_URL = testbed.endpoints.awsEndpoint;
const runs: LatencyRun[] = [];
try {
  const run = await latencyBench(testbed.endpoints.kubeconfigPath);
  const order: Variant[] = ["harbormaster", "direct"];
  for (let pair = 0; pair <= pairs; pair++) {
    for (const variant of order) {
      const result = await run(variant, pair);
      log(
        `${pair === 0 ? "warm-up" : `pair ${pair}/${pairs}`} ${variant}: patched ${ms(result.eventToPatchedMs)}, running ${ms(result.eventToRunningMs)}${result.preempted ? " (placeholder preempted)" : ""}`,
      );
      if (pair > 0) runs.push(result);
    }
  }
} finally {
  await testbed.stop();
}

const summary = Object.fromEntries(
  (["harbormaster", "direct"] as const).map((variant) => {
    const of = runs.filter((r) => r.variant === variant);
    const stats = (key: "eventToPatchedMs" | "eventToRunningMs") => {
      const values = of.map((r) => r[key]);
      return { p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) };
    };
    return [
      variant,
      {
        patched: stats("eventToPatchedMs"),
        running: stats("eventToRunningMs"),
        preempted: of.filter((r) => r.preempted).length,
        runs: of.length,
      },
    ];
  }),
);
const hm = summary.harbormaster;
const direct = summary.direct;
console.log(`\nLatency in the testbed (${pairs} pairs after a warm-up, alternating; 2 cores)`);
console.log("| | Harbormaster (ALARM → EventBridge → SQS → handler) | direct in-process patch | ratio (p50) |");
console.log("|---|---|---|---|");
if (hm && direct) {
  console.log(
    `| event → HPA patched, p50 / p99 / max | ${ms(hm.patched.p50)} / ${ms(hm.patched.p99)} / ${ms(hm.patched.max)} | ${ms(direct.patched.p50)} / ${ms(direct.patched.p99)} / ${ms(direct.patched.max)} | ${(hm.patched.p50 / direct.patched.p50).toFixed(1)}× |`,
  );
  console.log(
    `| event → new pod Running, p50 / p99 / max | ${ms(hm.running.p50)} / ${ms(hm.running.p99)} / ${ms(hm.running.max)} | ${ms(direct.running.p50)} / ${ms(direct.running.p99)} / ${ms(direct.running.max)} | ${(hm.running.p50 / direct.running.p50).toFixed(2)}× |`,
  );
  console.log(`| runs where the pod took a placeholder's place | ${hm.preempted}/${hm.runs} | (no placeholders) | |`);
}

const alarmToPatchSeconds = (hm?.patched.p50 ?? 1000) / 1000;
const outcomes = strategies(seedModel, alarmToPatchSeconds).map((s) => simulate(seedModel, s));
console.log(
  `\nSpike simulation: ${seedModel.troughRps.toLocaleString("en-US")} → ${seedModel.peakRps.toLocaleString("en-US")} req/s over ${seedModel.spikeRampSeconds} s, node provisioning ${seedModel.nodeProvisionSeconds} s`,
);
console.log("| strategy | requests | failed | failed share | seconds with failures |");
console.log("|---|---|---|---|---|");
for (const o of outcomes) {
  console.log(
    `| ${o.strategy} | ${o.requests.toLocaleString("en-US")} | ${o.failed.toLocaleString("en-US")} | ${(o.failedShare * 100).toFixed(2)}% | ${o.secondsWithFailures} |`,
  );
}
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(
  `\npeak RSS of the bench process (handler in-process): ${rssMiB.toFixed(0)} MiB; wall ${((Date.now() - started) / 1000).toFixed(0)} s`,
);

mkdirSync(join(root, "test", "bench", "results"), { recursive: true });
writeFileSync(
  join(root, "test", "bench", "results", "prescaling.json"),
  JSON.stringify(
    { pairs, runs, summary, model: seedModel, outcomes: outcomes.map(({ series: _, ...o }) => o), peakRssMiB: rssMiB },
    null,
    2,
  ),
);
writeFileSync(
  join(root, "docs", "prescaling-spike.svg"),
  spikeChart(outcomes, "A 10k → 30k req/s spike: demand (dashed) against serving capacity"),
);
log("wrote test/bench/results/prescaling.json and docs/prescaling-spike.svg");
