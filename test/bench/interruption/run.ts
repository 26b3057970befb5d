// Benchmark: a simulated AZ loss (100 spot nodes, 3,000 pods under PDBs, 100 warnings at once), handled
// by Harbormaster and by aws-node-termination-handler in queue-processor mode, alternately, on fresh
// testbeds. Prints a table and writes the raw runs to test/bench/results/interruption.json.
//
//   npm run bench:interruption -- [pairs=5] [nodes=100] [podsPerNode=30] [tools=harbormaster,two-clusters,nth]
//
// `two-clusters` is one deployment serving two clusters, half of the nodes and pods in each, every warning
// in the one queue.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { silentProgress, stderrProgress } from "../../testbed/progress.ts";
import { startTestbed } from "../../testbed/testbed.ts";
import { timeAwsCalls } from "./aws-calls.ts";
import { startBare } from "./bare.ts";
import { startHarbormaster } from "./harbormaster.ts";
import { afterRun } from "./leftovers.ts";
import { buildNth } from "./nth/build.ts";
import { startNth } from "./nth/run.ts";
import { type Milestones, observe } from "./observe.ts";
import {
  apiserverHost,
  countRequests,
  type RequestCounts,
  type ServerCounts,
  serverCounts,
  serverDelta,
} from "./requests.ts";
import { buildScenario, sendSpotWarnings } from "./scenario.ts";
import { lookups, runTwoClusters } from "./two-clusters.ts";

// `bare` is the physical limit on the same testbed: the scenario's evictions with nothing around them (bare.ts).
// `bare-queue` is the same with its cordons fed by the queue (bare-queue.ts): the cordon limit for any tool
// that learns of the loss from SQS, as they all do.
type Tool = "harbormaster" | "two-clusters" | "nth" | "bare" | "bare-queue";
interface RunResult {
  tool: Tool;
  pair: number;
  allCordonedMs: number | null;
  allDrainedMs: number | null;
  podsDrained: number;
  elapsedMs: number;
  podsPerSecond: number;
  /** EC2 DescribeInstances/DescribeTags calls for the burst (Harbormaster's arms). */
  instanceLookups?: number;
  /** Pods moved off the lost nodes within the two-minute warning. */
  movedInWarning: number;
  /** The handler's own apiserver requests (Harbormaster's arms), by kind and by answer. */
  requests?: RequestCounts;
  /** Every client's requests and 429s, from the apiserver's metrics (the testbed's cluster only). */
  server?: ServerCounts;
  /** Execution environments started and invocations in flight at once (Harbormaster's arms). */
  concurrency?: { environments: number; peak: number; drainPeak?: number };
  /** After the run: messages in the DLQ, lost nodes cordoned whose drain did not finish. */
  dlqMessages?: number;
  undrainedCordoned?: number;
  /** Lost nodes by the phase of Harbormaster's interruption state ("cordoned": no drain ever ran). */
  phases?: Record<string, number>;
  timeline: [number, number][];
  /** Set when BENCH_MAX_CONCURRENCY or BENCH_BATCH_WINDOW_MS changed the event source, e.g. "max 5". */
  variant?: string;
  /** The machine's load average when the run ended (1, 5, 15 min): other jobs share its two cores. */
  loadavg: number[];
}

// The two-minute warning and ten seconds: after that the instances are gone, and what was not drained by
// then is reported as such.
// BENCH_WINDOW_S widens it for sizes that need longer (1,000 nodes): "moved within the warning" is
// counted at 120 s whatever the window.
const windowMs = Number(process.env.BENCH_WINDOW_S ?? 130) * 1000;

const [pairs = 5, nodes = 100, podsPerNode = 30] = process.argv.slice(2, 5).map(Number);
const tools = (process.argv[5] ?? "harbormaster,two-clusters,nth").split(",") as Tool[];
const size = { nodes, podsPerNode, deployments: 30 };
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

process.env.AWS_REGION = "us-east-2";
// The handler's logs and EMF lines would drown the table; errors still show.
process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
process.env.POWERTOOLS_METRICS_DISABLED = "true";
process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";

// The shared machinery (deployment controller, scheduler) must not be what limits either tool.
const fastControlPlane = {
  "kube-controller-manager": ["--kube-api-qps=500", "--kube-api-burst=1000", "--concurrent-replicaset-syncs=20"],
  "kube-scheduler": ["--kube-api-qps=500", "--kube-api-burst=1000"],
};

async function runOnce(tool: Tool, pair: number, nthBinary: string, scale = size): Promise<RunResult> {
  const testbed = await startTestbed({ progress: silentProgress, extraArgs: fastControlPlane });
  process.env.AWS_ENDPOINT_URL = testbed.endpoints.awsEndpoint;
  const { kubeconfigPath } = testbed.endpoints;
  try {
    if (tool === "two-clusters") {
      const run = await runTwoClusters(testbed.endpoints, scale, fastControlPlane, windowMs, (m) =>
        log(`${tool} #${pair}: ${m}`),
      );
      return report(tool, pair, run.milestones, run.pods, {
        instanceLookups: run.instanceLookups,
        requests: run.requests,
        concurrency: run.concurrency,
      });
    }
    const scenario = await buildScenario(kubeconfigPath, scale, (m) => log(`${tool} #${pair}: ${m}`));
    let bare: ReturnType<typeof startBare> | undefined;
    const handler =
      tool === "bare" || tool === "bare-queue"
        ? { stop: async () => bare?.stop() }
        : tool === "harbormaster"
          ? startHarbormaster({ KUBECONFIG: kubeconfigPath }, scenario)
          : await startNth({
              binary: nthBinary,
              kubeconfigPath,
              awsEndpoint: testbed.endpoints.awsEndpoint,
              region: "us-east-2",
              queueUrl: scenario.queue.url,
              logPath: join(testbed.endpoints.workDir, "logs", "nth.log"),
            });
    let sentAt = 0;
    const watching = observe(kubeconfigPath, scenario, () => sentAt, windowMs);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // informers synced
    const lookupsBefore = await lookups(testbed.endpoints.awsEndpoint);
    const serverBefore = await serverCounts(kubeconfigPath);
    const counting = countRequests([apiserverHost(kubeconfigPath)]);
    const awsCalls = timeAwsCalls(new URL(testbed.endpoints.awsEndpoint).host);
    sentAt = Date.now();
    // The queue-fed arm is listening before the warnings are put, as the others' pollers are.
    if (tool === "bare-queue") bare = startBare(kubeconfigPath, scenario, { fromQueue: true });
    if (tool === "bare") bare = startBare(kubeconfigPath, scenario);
    else await sendSpotWarnings(scenario);
    log(
      `${tool} #${pair}: ${scenario.lostNodes.length} warnings sent in ${Date.now() - sentAt} ms from ${new Date(sentAt).toISOString().slice(11, 23)}`,
    );
    const milestones = await watching;
    const requests = counting.stop();
    log(`${tool} #${pair}: emulator calls in the first 15 s (ms) ${JSON.stringify(awsCalls.stop())}`);
    const server = serverDelta(await serverCounts(kubeconfigPath), serverBefore);
    const concurrency = "concurrency" in handler ? handler.concurrency() : undefined;
    await handler.stop();
    const instanceLookups = (await lookups(testbed.endpoints.awsEndpoint)) - lookupsBefore;
    const leftovers = await afterRun(kubeconfigPath, scenario);
    const ours = tool !== "nth";
    return report(tool, pair, milestones, scenario.pods, {
      instanceLookups: ours ? instanceLookups : undefined,
      requests: ours ? requests : undefined,
      server,
      concurrency,
      ...leftovers,
    });
  } finally {
    await testbed.stop();
  }
}

type Extras = Pick<
  RunResult,
  "instanceLookups" | "requests" | "server" | "concurrency" | "dlqMessages" | "undrainedCordoned" | "phases"
>;

function report(tool: Tool, pair: number, milestones: Milestones, pods: number, extras: Extras): RunResult {
  // Over the time pods were moving: a tool that stops at the spot deadline is not charged for the rest.
  const podsPerSecond = Math.round((milestones.podsDrained * 10_000) / Math.max(milestones.lastMovedMs, 1)) / 10;
  const { instanceLookups, requests, server, concurrency } = extras;
  log(
    `${tool} #${pair}: load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  log(
    `${tool} #${pair}: cordoned ${milestones.allCordonedMs ?? "-"} ms, drained ${milestones.allDrainedMs ?? "-"} ms, ` +
      `${milestones.podsDrained}/${pods} pods moved in ${milestones.elapsedMs} ms, ${milestones.movedInWarning} within 120 s` +
      (instanceLookups === undefined ? "" : `, ${instanceLookups} EC2 lookups`) +
      (concurrency
        ? `, ${concurrency.environments} environments (peak ${concurrency.peak} at once, ${concurrency.drainPeak ?? 0} draining)`
        : "") +
      (requests ? `, ${requests.total} handler requests (${perPod(requests.total, milestones.podsDrained)}/pod)` : "") +
      (server ? `, apiserver ${server.total} requests, ${server.throttled} 429s` : "") +
      (extras.dlqMessages === undefined
        ? ""
        : `, DLQ ${extras.dlqMessages}, cordoned with pods left ${extras.undrainedCordoned}, phases ${JSON.stringify(extras.phases)}`),
  );
  if (requests)
    log(
      `${tool} #${pair}: requests ${JSON.stringify(requests.byKind)} answers ${JSON.stringify(requests.byStatus)} ` +
        `evictions ${JSON.stringify(requests.evictionMs)} node ms ${JSON.stringify(requests.nodeMs)}`,
    );
  if (server?.throttled) log(`${tool} #${pair}: 429s ${JSON.stringify(server.throttledBy)}`);
  // A run with the event source's knobs turned says so: the chart and the table keep it apart.
  const variant = tool === "nth" || tool.startsWith("bare") ? undefined : eventSourceVariant();
  return { tool, pair, ...milestones, podsPerSecond, ...extras, loadavg: loadavg(), variant };
}

function eventSourceVariant(): string | undefined {
  const parts = [
    process.env.BENCH_MAX_CONCURRENCY && `max ${process.env.BENCH_MAX_CONCURRENCY}`,
    process.env.BENCH_BATCH_WINDOW_MS && `window ${process.env.BENCH_BATCH_WINDOW_MS} ms`,
    process.env.BENCH_ONE_STAGE === "1" && "one stage",
    process.env.BENCH_DRAIN_MAX_CONCURRENCY && `drain max ${process.env.BENCH_DRAIN_MAX_CONCURRENCY}`,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : undefined;
}

const perPod = (requests: number, pods: number) => (pods ? (requests / pods).toFixed(2) : "-");

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

// Built only when it runs: a Harbormaster-only comparison (one cluster against two) needs no Go build.
const nth = tools.includes("nth")
  ? await buildNth((m) => stderrProgress("nth", m))
  : { binary: "", version: "(not run)" };
const runs: RunResult[] = [];
// Warm-up pair, discarded: first start-ups pay for page cache and JIT.
// BENCH_WARMUP=0 skips it for a quick look; the README's figures always include it.
if (process.env.BENCH_WARMUP !== "0") {
  log("warm-up pair (discarded)");
  // A fifth of the size: enough to warm the page cache and the JIT of every component.
  const warmUp = { ...size, nodes: Math.max(10, Math.round(nodes / 5)) };
  for (const tool of tools) await runOnce(tool, 0, nth.binary, warmUp);
}
const out = join(import.meta.dirname, "..", "results");
mkdirSync(out, { recursive: true });
const resultsFile = join(out, "interruption.json");
// Also kept per size, for the curve across sizes (chart.ts reads every interruption-<nodes>x<pods>.json).
const sizeFile = join(out, `interruption-${nodes}x${podsPerNode}.json`);
// Runs of earlier invocations at this size are kept (the curve takes each arm's median); BENCH_FRESH=1 drops them.
const earlier: RunResult[] =
  process.env.BENCH_FRESH !== "1" && existsSync(sizeFile)
    ? ((JSON.parse(readFileSync(sizeFile, "utf8")) as { runs?: RunResult[] }).runs ?? [])
    : [];
for (let pair = 1; pair <= pairs; pair++) {
  for (const tool of tools) {
    runs.push(await runOnce(tool, pair, nth.binary));
    // Written after every run, so an interrupted benchmark still leaves its raw numbers.
    writeFileSync(resultsFile, JSON.stringify({ size, nthVersion: nth.version, runs }, null, 2));
    writeFileSync(sizeFile, JSON.stringify({ size, nthVersion: nth.version, runs: [...earlier, ...runs] }, null, 2));
  }
}

// A run that did not finish within the window counts as the window (a lower bound on its true time).
const summary = (tool: Tool) => {
  const mine = runs.filter((r) => r.tool === tool);
  return {
    cordonedMs: median(mine.map((r) => r.allCordonedMs ?? windowMs)),
    drainedMs: median(mine.map((r) => r.allDrainedMs ?? windowMs)),
    unfinished: mine.filter((r) => r.allDrainedMs === null).length,
    podsPerSecond: median(mine.map((r) => r.podsPerSecond)),
    lookups: median(mine.map((r) => r.instanceLookups ?? 0)),
    inWarning: median(mine.map((r) => r.movedInWarning)),
    perPod: median(mine.map((r) => (r.requests ? r.requests.total / Math.max(r.podsDrained, 1) : 0))),
    throttled: median(mine.map((r) => r.server?.throttled ?? 0)),
    peak: median(mine.map((r) => r.concurrency?.peak ?? 0)),
  };
};
const arms = tools.map((tool) => ({ tool, ...summary(tool) }));
const ours = arms.find((a) => a.tool === "harbormaster");
const two = arms.find((a) => a.tool === "two-clusters");
const theirs = arms.find((a) => a.tool === "nth");
const limit = arms.find((a) => a.tool === "bare");
const queueLimit = arms.find((a) => a.tool === "bare-queue");
const label = (tool: Tool) =>
  tool === "nth"
    ? `nth ${nth.version}`
    : tool === "bare"
      ? "bare (limit)"
      : tool === "bare-queue"
        ? "bare from queue"
        : tool;
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : "-");
const rows: (string | number)[][] = [
  ["", ...arms.map((a) => label(a.tool))],
  ["all nodes cordoned (median ms)", ...arms.map((a) => a.cordonedMs)],
  [
    "all nodes drained (median ms)",
    ...arms.map((a) => `${a.drainedMs}${a.unfinished ? ` (${a.unfinished} >${windowMs})` : ""}`),
  ],
  ["drain throughput (pods/s)", ...arms.map((a) => a.podsPerSecond)],
  [`pods moved within 120 s (of ${nodes * podsPerNode})`, ...arms.map((a) => a.inWarning)],
  ["EC2 lookups for the burst (median)", ...arms.map((a) => (a.tool === "nth" ? "-" : a.lookups))],
  ["Lambda concurrency reached", ...arms.map((a) => (a.tool === "nth" ? "-" : a.peak))],
  ["handler requests per drained pod", ...arms.map((a) => (a.tool === "nth" ? "-" : a.perPod.toFixed(2)))],
  ["apiserver 429s (all clients)", ...arms.map((a) => (a.tool === "two-clusters" ? "-" : a.throttled))],
];
process.stdout.write(`\nAZ loss: ${nodes} nodes, ${nodes * podsPerNode} pods, ${pairs} pairs after a warm-up\n`);
for (const row of rows) process.stdout.write(`${row.map((c, i) => String(c).padEnd(i === 0 ? 36 : 24)).join("")}\n`);
process.stdout.write(
  `ratios: nth drained / harbormaster drained ${ratio(theirs?.drainedMs, ours?.drainedMs)}, ` +
    `harbormaster / nth pods/s ${ratio(ours?.podsPerSecond, theirs?.podsPerSecond)}, ` +
    `two-clusters drained / harbormaster drained ${ratio(two?.drainedMs, ours?.drainedMs)} (target <= 1.1), ` +
    `harbormaster pods/s / bare (limit) pods/s ${ratio(ours?.podsPerSecond, limit?.podsPerSecond)}, ` +
    `bare from queue cordoned / harbormaster cordoned ${ratio(queueLimit?.cordonedMs, ours?.cordonedMs)}\n`,
);
writeFileSync(resultsFile, JSON.stringify({ size, nthVersion: nth.version, runs, arms }, null, 2));
// Idle pod watches of the handlers would hold the process open for up to a minute more.
process.exit(0);
