// Benchmark: a simulated AZ loss (100 spot nodes, 3,000 pods under PDBs, 100 warnings at once), handled
// by Harbormaster and by aws-node-termination-handler in queue-processor mode, alternately, on fresh
// testbeds. Prints a table and writes the raw runs to test/bench/results/interruption.json.
//
//   npm run bench:interruption -- [pairs=5] [nodes=100] [podsPerNode=30] [tools=harbormaster,two-clusters,nth]
//
// `two-clusters` is one deployment serving two clusters, half of the nodes and pods in each, every warning
// in the one queue.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { silentProgress, stderrProgress } from "../../testbed/progress.ts";
import { startTestbed } from "../../testbed/testbed.ts";
import { startHarbormaster } from "./harbormaster.ts";
import { buildNth } from "./nth/build.ts";
import { startNth } from "./nth/run.ts";
import { type Milestones, observe } from "./observe.ts";
import { buildScenario, sendSpotWarnings } from "./scenario.ts";
import { lookups, runTwoClusters } from "./two-clusters.ts";

type Tool = "harbormaster" | "two-clusters" | "nth";
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
}

// The two-minute warning and ten seconds: after that the instances are gone, and what was not drained by
// then is reported as such.
const windowMs = 130_000;

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
      return report(tool, pair, run.milestones, run.pods, run.instanceLookups);
    }
    const scenario = await buildScenario(kubeconfigPath, scale, (m) => log(`${tool} #${pair}: ${m}`));
    const handler =
      tool === "harbormaster"
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
    sentAt = Date.now();
    await sendSpotWarnings(scenario);
    log(`${tool} #${pair}: ${scenario.lostNodes.length} warnings sent in ${Date.now() - sentAt} ms`);
    const milestones = await watching;
    await handler.stop();
    const instanceLookups = (await lookups(testbed.endpoints.awsEndpoint)) - lookupsBefore;
    return report(tool, pair, milestones, scenario.pods, tool === "nth" ? undefined : instanceLookups);
  } finally {
    await testbed.stop();
  }
}

function report(tool: Tool, pair: number, milestones: Milestones, pods: number, instanceLookups?: number): RunResult {
  // Over the time pods were moving: a tool that stops at the spot deadline is not charged for the rest.
  const podsPerSecond = Math.round((milestones.podsDrained * 10_000) / Math.max(milestones.lastMovedMs, 1)) / 10;
  log(
    `${tool} #${pair}: cordoned ${milestones.allCordonedMs ?? "-"} ms, drained ${milestones.allDrainedMs ?? "-"} ms, ` +
      `${milestones.podsDrained}/${pods} pods moved in ${milestones.elapsedMs} ms` +
      (instanceLookups === undefined ? "" : `, ${instanceLookups} EC2 lookups`),
  );
  return { tool, pair, ...milestones, podsPerSecond, instanceLookups };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const nth = await buildNth((m) => stderrProgress("nth", m));
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
for (let pair = 1; pair <= pairs; pair++) {
  for (const tool of tools) {
    runs.push(await runOnce(tool, pair, nth.binary));
    // Written after every run, so an interrupted benchmark still leaves its raw numbers.
    writeFileSync(resultsFile, JSON.stringify({ size, nthVersion: nth.version, runs }, null, 2));
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
  };
};
const arms = tools.map((tool) => ({ tool, ...summary(tool) }));
const ours = arms.find((a) => a.tool === "harbormaster");
const two = arms.find((a) => a.tool === "two-clusters");
const theirs = arms.find((a) => a.tool === "nth");
const label = (tool: Tool) => (tool === "nth" ? `nth ${nth.version}` : tool);
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : "-");
const rows: (string | number)[][] = [
  ["", ...arms.map((a) => label(a.tool))],
  ["all nodes cordoned (median ms)", ...arms.map((a) => a.cordonedMs)],
  [
    "all nodes drained (median ms)",
    ...arms.map((a) => `${a.drainedMs}${a.unfinished ? ` (${a.unfinished} >${windowMs})` : ""}`),
  ],
  ["drain throughput (pods/s)", ...arms.map((a) => a.podsPerSecond)],
  ["EC2 lookups for the burst (median)", ...arms.map((a) => (a.tool === "nth" ? "-" : a.lookups))],
];
process.stdout.write(`\nAZ loss: ${nodes} nodes, ${nodes * podsPerNode} pods, ${pairs} pairs after a warm-up\n`);
for (const row of rows) process.stdout.write(`${row.map((c, i) => String(c).padEnd(i === 0 ? 36 : 24)).join("")}\n`);
process.stdout.write(
  `ratios: nth drained / harbormaster drained ${ratio(theirs?.drainedMs, ours?.drainedMs)}, ` +
    `harbormaster / nth pods/s ${ratio(ours?.podsPerSecond, theirs?.podsPerSecond)}, ` +
    `two-clusters drained / harbormaster drained ${ratio(two?.drainedMs, ours?.drainedMs)} (target <= 1.1)\n`,
);
writeFileSync(resultsFile, JSON.stringify({ size, nthVersion: nth.version, runs, arms }, null, 2));
// Idle pod watches of the handlers would hold the process open for up to a minute more.
process.exit(0);
