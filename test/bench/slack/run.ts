// Slack acknowledgement latency: cold (a fresh process loads the bundled function and answers one command)
// and warm (the function behind a Function URL on loopback, at a fixed concurrency). Ours against the
// physical limit, a bare signature check with no store, queue or framework, alternating A B A B.
// Prints a table and writes the raw numbers to test/bench/results/slack.json.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { build } from "esbuild";
import { functionRuntime } from "../../../stacks/function-defaults.ts";
import { signingSecret } from "../../helpers/slack-requests.ts";
import { silentProgress } from "../../testbed/progress.ts";
import { startTestbed } from "../../testbed/testbed.ts";
import { createSlackResources } from "./aws.ts";
import { warmLoad } from "./load.ts";
import { type Summary, summarise } from "./stats.ts";

const run = promisify(execFile);
const here = import.meta.dirname;
const root = join(here, "..", "..", "..");
const coldPairs = Number(process.env.BENCH_COLD_PAIRS ?? 25);
const warmPairs = Number(process.env.BENCH_WARM_PAIRS ?? 5);
const warmRequests = Number(process.env.BENCH_WARM_REQUESTS ?? 400);
const concurrency = 4;
const log = (line: string) => process.stderr.write(`[bench:slack] ${line}\n`);

async function bundle(entry: string, out: string): Promise<string> {
  const outfile = join(out, `${entry.split("/").pop()?.replace(/\.ts$/, "")}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: functionRuntime.esbuildTarget,
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: "silent",
  });
  return outfile;
}

async function cold(
  bundlePath: string,
  env: NodeJS.ProcessEnv,
): Promise<{ loadMs: number; firstAckMs: number; ackMs: number }> {
  const { stdout } = await run(process.execPath, [join(here, "probe.ts"), bundlePath], { env });
  const r = JSON.parse(stdout) as { loadMs: number; firstAckMs: number };
  return { ...r, ackMs: r.loadMs + r.firstAckMs };
}

async function warm(bundlePath: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [join(here, "server.ts"), bundlePath], {
    env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const url = String((await lines.next()).value);
  const result = await warmLoad(url, warmRequests, concurrency);
  child.stdin.write("rss\n");
  const { peakRssMiB } = JSON.parse(String((await lines.next()).value)) as { peakRssMiB: number };
  return { ...result, peakRssMiB };
}

const testbed = await startTestbed({ progress: silentProgress });
const work = mkdtempSync(join(tmpdir(), "harbormaster-bench-slack-"));
try {
  // The emulator's standard configuration, for this process and the functions it starts.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: testbed.endpoints.awsEndpoint,
    AWS_REGION: "us-east-2",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
  });
  const resources = await createSlackResources();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-2",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_ENDPOINT_URL: testbed.endpoints.awsEndpoint,
    POWERTOOLS_LOG_LEVEL: "ERROR",
    HARBORMASTER_SLACK_SIGNING_SECRET: signingSecret,
    HARBORMASTER_SLACK_TABLE: resources.table,
    HARBORMASTER_SLACK_QUEUE_URL: resources.queueUrl,
    HARBORMASTER_SLACK_CLUSTERS: JSON.stringify({ prod: { eksCluster: "prod", channels: ["C0OPS"] } }),
    HARBORMASTER_SLACK_ACCESS: JSON.stringify([{ users: "*", channels: "*", commands: "*" }]),
  };
  const ours = await bundle("functions/slack-command.ts", work);
  const bare = await bundle("test/bench/slack/bare-ack.ts", work);

  log(`cold: 2 warm-up pairs, then ${coldPairs} pairs (bare, ours)`);
  const coldRuns = { bare: [] as Awaited<ReturnType<typeof cold>>[], ours: [] as Awaited<ReturnType<typeof cold>>[] };
  for (let i = -2; i < coldPairs; i++) {
    const a = await cold(bare, env);
    const b = await cold(ours, env);
    if (i >= 0) {
      coldRuns.bare.push(a);
      coldRuns.ours.push(b);
    }
    process.stderr.write(
      `\r[bench:slack] cold pair ${Math.max(0, i + 1)}/${coldPairs}: ours ${b.ackMs.toFixed(0)} ms   `,
    );
  }
  process.stderr.write("\n");

  log(`warm: 1 warm-up pair, then ${warmPairs} pairs of ${warmRequests} requests at concurrency ${concurrency}`);
  const warmRuns = { bare: [] as Awaited<ReturnType<typeof warm>>[], ours: [] as Awaited<ReturnType<typeof warm>>[] };
  for (let i = -1; i < warmPairs; i++) {
    // A fresh table and queue per run: moto's FIFO queue and table slow down as they fill, which would
    // charge later pairs for earlier ones.
    const fresh = await createSlackResources();
    const runEnv = { ...env, HARBORMASTER_SLACK_TABLE: fresh.table, HARBORMASTER_SLACK_QUEUE_URL: fresh.queueUrl };
    const a = await warm(bare, runEnv);
    const b = await warm(ours, runEnv);
    if (i >= 0) {
      warmRuns.bare.push(a);
      warmRuns.ours.push(b);
    }
    log(
      `warm pair ${Math.max(0, i + 1)}/${warmPairs}: ours p99 ${b.summary.p99.toFixed(1)} ms, ${b.requestsPerSecond.toFixed(0)} req/s`,
    );
  }

  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
  const medianOf = (runs: { summary: Summary }[], key: keyof Summary) => median(runs.map((r) => r.summary[key]));
  const coldOurs = summarise(coldRuns.ours.map((r) => r.ackMs));
  const coldBare = summarise(coldRuns.bare.map((r) => r.ackMs));
  const loadOurs = summarise(coldRuns.ours.map((r) => r.loadMs));
  const rows = [
    ["cold ack (load + first request), ms", coldBare, coldOurs],
    ["  of which module load, ms", summarise(coldRuns.bare.map((r) => r.loadMs)), loadOurs],
  ] as const;
  const pad = (text: string, n: number) => text.padEnd(n);
  const fmt = (s: Summary) => `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} / ${s.max.toFixed(1)}`;
  console.log(`\nSlack acknowledgement (2 cores, 24 GiB; moto on loopback); p50 / p99 / max`);
  console.log(`${pad("", 40)}${pad("bare (limit)", 26)}ours`);
  for (const [name, a, b] of rows) console.log(`${pad(name, 40)}${pad(fmt(a), 26)}${fmt(b)}`);
  const warmRow = (runs: typeof warmRuns.bare) =>
    `${medianOf(runs, "p50").toFixed(1)} / ${medianOf(runs, "p99").toFixed(1)} / ${medianOf(runs, "max").toFixed(1)}`;
  console.log(
    `${pad(`warm ack at concurrency ${concurrency}, ms (median of ${warmPairs})`, 40)}${pad(warmRow(warmRuns.bare), 26)}${warmRow(warmRuns.ours)}`,
  );
  const rps = (runs: typeof warmRuns.bare) => median(runs.map((r) => r.requestsPerSecond)).toFixed(0);
  const rss = (runs: typeof warmRuns.bare) => Math.max(...runs.map((r) => r.peakRssMiB)).toFixed(0);
  console.log(`${pad("warm req/s", 40)}${pad(rps(warmRuns.bare), 26)}${rps(warmRuns.ours)}`);
  console.log(`${pad("peak RSS, MiB", 40)}${pad(rss(warmRuns.bare), 26)}${rss(warmRuns.ours)}`);
  console.log(
    `target: cold p99 <= 300 ms -> ${coldOurs.p99 <= 300 ? "met" : "missed"} (${coldOurs.p99.toFixed(0)} ms)`,
  );

  const out = join(root, "test", "bench", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "slack.json"),
    JSON.stringify(
      { machine: { cores: 2, memoryGiB: 24 }, concurrency, coldRuns, warmRuns, coldOurs, coldBare },
      null,
      2,
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  await testbed.stop();
}
