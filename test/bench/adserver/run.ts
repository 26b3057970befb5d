// Benchmark: the ad server against the HTTP limit of this machine (a bare node:http server answering a fixed
// JSON of the same size), alternating bare / warm / 10%-miss runs, then a run across a Redis restart.
// Prints a table and writes the raw runs to test/bench/results/adserver.json.
//
//   npm run bench -w services/adserver -- [pairs=5] [connections=10] [seconds=5]
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { seedSchema } from "../../../services/adserver/src/loader/seed-file.ts";
import { writeCatalog } from "../../../services/adserver/src/loader/write-catalog.ts";
import { RedisProcess } from "../../../services/adserver/test/support/redis-process.ts";
import { benchCatalog } from "./catalog.ts";
import { adPath, knownUser, type LoadResult, runLoad } from "./load.ts";
import { type ServerProcess, startProcess } from "./processes.ts";

type Series = "bare" | "warm" | "miss10";
const [pairs = 5, connections = 10, seconds = 5] = process.argv.slice(2, 5).map(Number);
const KNOWN_USERS = 10_000;
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const redis = await RedisProcess.start();
let ad: ServerProcess | undefined;
let bare: ServerProcess | undefined;
try {
  const client = redis.client();
  await writeCatalog(client, seedSchema.parse(benchCatalog()), "bench");
  client.disconnect();
  ad = await startProcess(
    [here("../../../services/adserver/src/server.ts")],
    {
      REDIS_URL: redis.url,
      ADSERVER_BEACON_SECRET: "bench-secret-0123456789",
      ADSERVER_LOG_SAMPLE_RATE: "0",
      ADSERVER_LOG_LEVEL: "warn",
    },
    async (url) => (await fetch(`${url}/ping`)).ok,
  );
  // A served answer sets the bare server's body size. The very first request (a cold slot and a new user, on
  // a busy machine) can miss the deadline and get a 204, so ask again until one is served.
  let sample = "";
  for (let i = 0; sample === "" && i < 50; i++)
    sample = await (await fetch(`${ad.url}${adPath(knownUser(0), 1)}`)).text();
  if (sample === "") throw new Error("the ad server served no ad to size the bare server's answer");
  bare = await startProcess(
    [here("bare-server.ts"), "{port}", String(Buffer.byteLength(sample))],
    {},
    async (url) => (await fetch(url)).ok,
  );
  const servers = { ad, bare };
  log(`redis ${redis.url}, adserver ${ad.url}, bare ${bare.url}; response ${Buffer.byteLength(sample)} bytes`);

  log(`warming ${KNOWN_USERS} users' counters into the cache`);
  for (let i = 0; i < KNOWN_USERS; i += 100)
    await Promise.all(
      Array.from({ length: 100 }, (_, k) =>
        fetch(`${servers.ad.url}${adPath(knownUser(i + k), i + k)}`).then((r) => r.text()),
      ),
    );

  const run = (series: Series, durationSeconds = seconds) =>
    runLoad({
      url: series === "bare" ? servers.bare.url : servers.ad.url,
      connections,
      durationSeconds,
      newUserShare: series === "miss10" ? 0.1 : 0,
      knownUsers: KNOWN_USERS,
    });

  log("warm-up: 3 s of each");
  for (const series of ["bare", "warm", "miss10"] as const) await run(series, 3);

  const runs: Array<{ series: Series; pair: number; missShare?: number } & LoadResult> = [];
  for (let pair = 1; pair <= pairs; pair++) {
    for (const series of ["bare", "warm", "miss10"] as const) {
      const before = series === "miss10" ? await userLookups(servers.ad.url) : undefined;
      const result = await run(series);
      const missShare = before ? missShareSince(before, await userLookups(servers.ad.url)) : undefined;
      runs.push({ series, pair, ...result, missShare });
      log(
        `pair ${pair}/${pairs} ${series.padEnd(6)} ${fmt(result.requestsPerSecond)} req/s, ` +
          `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, errors ${result.errors + result.non2xx}` +
          (missShare === undefined ? "" : `, user-cache misses ${(missShare * 100).toFixed(1)}%`),
      );
    }
  }

  log("Redis restart under load: SIGKILL at 3 s, started again at 6 s, 12 s in all, 10% new users");
  const outcomesBefore = await outcomes(servers.ad.url);
  const restart = run("miss10", 12);
  await sleep(3000);
  await redis.kill();
  log("redis killed");
  await sleep(3000);
  await redis.restart();
  log("redis restarted");
  const restartResult = await restart;
  const outcomesDuring = diff(await outcomes(servers.ad.url), outcomesBefore);
  log(`restart run: ${restartResult.total} requests, ${restartResult.non2xx} non-2xx, ${restartResult.errors} errors`);

  const peakRssMiB = { adserver: servers.ad.peakRssMiB(), bare: servers.bare.peakRssMiB() };
  const summary = summarise(runs);
  printTable(summary, restartResult, outcomesDuring, peakRssMiB);
  mkdirSync(here("../results"), { recursive: true });
  writeFileSync(
    here("../results/adserver.json"),
    `${JSON.stringify({ connections, seconds, pairs, runs, summary, restart: { ...restartResult, outcomes: outcomesDuring }, peakRssMiB }, null, 2)}\n`,
  );
  log("raw runs written to test/bench/results/adserver.json");
} finally {
  await ad?.stop();
  await bare?.stop();
  await redis.stop();
}

function summarise(runs: Array<{ series: Series; pair: number } & LoadResult>) {
  const of = (series: Series) => runs.filter((r) => r.series === series);
  const series = (name: Series) => ({
    requestsPerSecond: median(of(name).map((r) => r.requestsPerSecond)),
    p50Ms: median(of(name).map((r) => r.p50Ms)),
    p99Ms: median(of(name).map((r) => r.p99Ms)),
    maxMs: median(of(name).map((r) => r.maxMs)),
    errors: of(name).reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  });
  const ratio = (name: Series) =>
    median(
      of(name).map((r) => r.requestsPerSecond / (of("bare").find((b) => b.pair === r.pair)?.requestsPerSecond ?? 1)),
    );
  return {
    bare: series("bare"),
    warm: series("warm"),
    miss10: series("miss10"),
    warmRatio: ratio("warm"),
    miss10Ratio: ratio("miss10"),
  };
}

function printTable(
  s: ReturnType<typeof summarise>,
  restart: LoadResult,
  outcomesDuring: Record<string, number>,
  rss: { adserver: number; bare: number },
) {
  const row = (name: string, r: ReturnType<typeof summarise>["bare"], ratio: string, mem: number) =>
    `| ${name.padEnd(28)} | ${fmt(r.requestsPerSecond).padStart(7)} | ${ratio.padStart(6)} | ${String(r.p50Ms).padStart(5)} | ${String(r.p99Ms).padStart(5)} | ${String(r.maxMs).padStart(6)} | ${String(r.errors).padStart(6)} | ${String(mem).padStart(8)} |`;
  const lines = [
    "",
    `median of ${pairs} rounds, ${connections} connections, ${seconds} s per run, loopback`,
    "| server                       |   req/s |  ratio | p50ms | p99ms | max ms | errors | peak RSS |",
    "| ---------------------------- | ------: | -----: | ----: | ----: | -----: | -----: | -------: |",
    row("bare node:http (limit)", s.bare, "1.00", rss.bare),
    row("adserver, warm cache", s.warm, s.warmRatio.toFixed(2), rss.adserver),
    row("adserver, 10% miss to Redis", s.miss10, s.miss10Ratio.toFixed(2), rss.adserver),
    "",
    `Redis SIGKILL + restart under load: ${restart.total} requests, ${restart.non2xx} non-2xx, ${restart.errors} errors, ` +
      `${restart.timeouts} timeouts; p99 ${restart.p99Ms} ms, max ${restart.maxMs} ms; outcomes ${JSON.stringify(outcomesDuring)}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
}

async function metricsText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

async function userLookups(url: string): Promise<Record<string, number>> {
  const text = await metricsText(url);
  const result: Record<string, number> = {};
  for (const m of text.matchAll(/adserver_cache_lookups_total\{cache="user",result="(\w+)"\} (\d+)/g))
    result[m[1] as string] = Number(m[2]);
  return result;
}

function missShareSince(before: Record<string, number>, after: Record<string, number>): number {
  const d = diff(after, before);
  const total = Object.values(d).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : (d.miss ?? 0) / total;
}

async function outcomes(url: string): Promise<Record<string, number>> {
  const text = await metricsText(url);
  const result: Record<string, number> = {};
  for (const m of text.matchAll(/adserver_http_request_duration_seconds_count\{route="ad",outcome="(\w+)"\} (\d+)/g))
    result[m[1] as string] = Number(m[2]);
  return result;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
