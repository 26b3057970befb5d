// Benchmark: Scissors against the image proxies a user would pick instead, and against sharp in-process
// (the limit), on the same ~2K photos from the same loopback origin, at concurrency 2 and 8, alternating
// the peers round by round. Then repeated requests served from the result cache against uncached.
// Prints a table; writes raw rounds to test/bench/results/scissors.json.
//
//   npm run bench -w services/scissors -- [pairs=5] [secondsPerRound=3] [peer,peer,...]
// ARMS (JSON, as memory.ts) adds Scissors variants, such as another commit's bundle.
// The optional list keeps only the named arms (e.g. scissors,imgproxy), for shorter runs.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { nodeFlags } from "../../../services/scissors/build.ts";
import { type LoadResult, loadClient, runLoad } from "./load.ts";
import {
  bareProxyPeer,
  bundled,
  imgproxyPeer,
  ipxPeer,
  type Peer,
  type RunningPeer,
  type ScissorsVariant,
  scissorsPeer,
  thumborPeer,
  vipsFloorPeer,
} from "./peers.ts";
import { benchPhotos } from "./photos.ts";
import { treeCpuMs, treeRssMiB } from "./proc.ts";
import { ssimOf } from "./quality.ts";
import { type ScenarioName, scenarios } from "./scenarios.ts";

const [pairs = 5, seconds = 3] = process.argv.slice(2, 4).map(Number);
const only = process.argv[4]?.split(",");
const durationMs = seconds * 1000;
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const concurrencies = [2, 8];
const inProcessName = "sharp in-process";

interface Round extends LoadResult {
  peer: string;
  scenario: ScenarioName;
  concurrency: number;
  pair: number;
  peakRssMiB: number;
  /** CPU time the peer used per image (all its processes and threads): robust to other jobs on the machine. */
  cpuMsPerImage: number;
  /** CPU time this process (load generator and origin) used per image: the same for every peer. */
  benchCpuMsPerImage: number;
}

const { dir, names } = await benchPhotos(log);
log(`${names.length} photos in ${dir}`);
const photos = new Map(names.map((name) => [name, readFileSync(join(dir, name))]));

// The origin every proxy downloads from: photos from memory, keep-alive, on loopback. /__reply/<n> answers
// n bytes: what the load generator fetches per image while the in-process limit runs (see inProcessRound).
const replies = new Map<string, Buffer>();
const photoTime = Date.now() - 86_400_000;
const lastModified = new Date(photoTime).toUTCString();
const photoEtag = Math.floor(photoTime / 1000).toString(16);
const origin = http.createServer((req, res) => {
  const path = (req.url ?? "").slice(1).split("?")[0] as string;
  if (path.startsWith("__reply/")) {
    const size = path.slice("__reply/".length);
    const reply = replies.get(size) ?? Buffer.alloc(Math.min(Number(size) || 0, 1 << 20), 0xff);
    replies.set(size, reply);
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": reply.length });
    return res.end(reply);
  }
  const body = photos.get(path);
  if (!body) return res.writeHead(404).end();
  // The validators nginx and S3 send for a static file. Scissors builds its ETag from them; an origin
  // without them costs it a SHA-256 of every source (0.24 ms per 320 KB here).
  res.writeHead(200, {
    "content-type": "image/jpeg",
    "content-length": body.length,
    "last-modified": lastModified,
    etag: `"${photoEtag}-${body.length.toString(16)}"`,
  });
  res.end(req.method === "HEAD" ? undefined : body);
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const imgproxy = imgproxyPeer(log);
const limitBundle = await bundled(join(import.meta.dirname, "inprocess.ts"));
const wanted = (name: string) => !only || name === "scissors" || only.includes(name);
const peerDefs: Peer[] = [
  scissorsPeer("scissors", 0),
  // The same service with sharp choosing the JPEG shrink-on-load itself: what core/jpeg-shrink.ts buys.
  scissorsPeer("scissors (sharp shrink)", 0, { env: { SCISSORS_JPEG_PRESHRINK: "off" } }),
  // With jemalloc, as the image ran before, and with V8's own young generation (no --max-semi-space-size).
  scissorsPeer("scissors (jemalloc)", 0, { jemalloc: true }),
  scissorsPeer("scissors (V8's young gen)", 0, { nodeFlags: nodeFlags.filter((f) => !f.startsWith("--max-semi")) }),
  // More variants, as memory.ts takes them: ARMS='[{"name": "…", "variant": {ScissorsVariant}}]'.
  ...(JSON.parse(process.env.ARMS ?? "[]") as { name: string; variant: ScissorsVariant }[]).map((arm) =>
    scissorsPeer(arm.name, 0, arm.variant),
  ),
  ...(imgproxy ? [imgproxy] : []),
  ipxPeer(log),
  thumborPeer(log),
  bareProxyPeer(),
  // The least JavaScript per request (vips-floor.ts): what bounds a Node proxy's p99 at low concurrency.
  vipsFloorPeer("node:http + one libvips call"),
  vipsFloorPeer("one libvips call (no download)", dir),
].filter((p) => wanted(p.name));
const cachedDef = scissorsPeer("scissors (cached)", 512 * 1024 * 1024);
const withCache = wanted(cachedDef.name);
const running: RunningPeer[] = [];
for (const def of [...peerDefs, ...(withCache ? [cachedDef] : [])]) {
  log(`starting ${def.name} ${def.version}`);
  running.push(await def.start(originUrl));
}
const byName = new Map(running.map((p) => [p.name, p]));

// Every peer must answer every scenario with a JPEG before anything is measured.
const outputBytes: Record<string, Record<string, number>> = {};
for (const peer of running) {
  for (const scenario of Object.keys(scenarios) as ScenarioName[]) {
    const response = await fetch(peer.url(names[0] as string, scenario));
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || body[0] !== 0xff || body[1] !== 0xd8) {
      throw new Error(`${peer.name} answered ${response.status} (${body.subarray(0, 80).toString()}) for ${scenario}`);
    }
    outputBytes[peer.name] = { ...outputBytes[peer.name], [scenario]: body.length };
  }
}

// Quality at those bytes: every photo through every peer, SSIM against the source resized losslessly.
const quality: Record<string, Record<string, { ssim: number; bytes: number }>> = {};
for (const peer of running.filter((p) => p.name !== cachedDef.name)) {
  for (const scenario of Object.keys(scenarios) as ScenarioName[]) {
    let ssimSum = 0;
    let bytes = 0;
    for (const name of names) {
      const body = Buffer.from(await (await fetch(peer.url(name, scenario))).arrayBuffer());
      ssimSum += await ssimOf(photos.get(name) as Buffer, body, scenario);
      bytes += body.length;
    }
    const q = {
      ssim: Math.round((ssimSum / names.length) * 100_000) / 100_000,
      bytes: Math.round(bytes / names.length),
    };
    quality[peer.name] = { ...quality[peer.name], [scenario]: q };
    log(
      `quality ${scenarios[scenario].label} ${peer.name}: SSIM ${q.ssim}, ${q.bytes} bytes/img over ${names.length} photos`,
    );
  }
}

async function sampleRss<T extends LoadResult>(pid: () => number | undefined, work: Promise<T>) {
  let peak = 0;
  const timer = setInterval(() => {
    const p = pid();
    if (p) peak = Math.max(peak, treeRssMiB(p));
  }, 100);
  const result = await work.finally(() => clearInterval(timer));
  return { result, peak };
}

/**
 * The limit runs in a child, on photos in memory. A proxy's run also pays for the load generator in this
 * process, on the same 2 cores; so that the limit pays the same, the child reports each image it finishes
 * and this process fetches, per image, a reply of the proxy's output size over keep-alive HTTP, with the
 * same client and the same concurrency. The origin's work of sending the source to a proxy is not mirrored:
 * that is the download the limit by definition does not do.
 */
async function inProcessRound(scenario: ScenarioName, concurrency: number) {
  const child = spawn(process.execPath, [limitBundle, dir, scenario, String(concurrency), String(durationMs)], {
    env: { ...process.env, PHOTOS: names.join(","), PACE_FD: "3" },
    stdio: ["ignore", "pipe", "inherit", "pipe"],
  });
  const client = loadClient(concurrency);
  const replyUrl = `${originUrl}/__reply/${outputBytes.scissors?.[scenario] ?? 0}`;
  const pending: Promise<unknown>[] = [];
  child.stdio[3]?.on("data", (ticks: Buffer) => {
    for (let i = 0; i < ticks.length; i++) pending.push(client.get(replyUrl));
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const done = new Promise<LoadResult & { cpuMs: number }>((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as LoadResult & { cpuMs: number }) : reject(new Error(`exit ${code}`)),
    ),
  ).then(async (result) => {
    await Promise.all(pending);
    client.close();
    return result;
  });
  const measured = await sampleRss(() => child.pid, done);
  return { ...measured, cpuMs: measured.result.cpuMs };
}

async function round(peer: string, scenario: ScenarioName, concurrency: number, pair: number): Promise<Round> {
  const bench0 = process.cpuUsage();
  let measured: { result: LoadResult; peak: number; cpuMs: number };
  if (peer === inProcessName) measured = await inProcessRound(scenario, concurrency);
  else {
    const p = byName.get(peer) as RunningPeer;
    const urls = names.map((name) => p.url(name, scenario));
    const cpu0 = treeCpuMs(p.pid);
    const run = await sampleRss(() => p.pid, runLoad(urls, concurrency, durationMs));
    measured = { ...run, cpuMs: treeCpuMs(p.pid) - cpu0 };
  }
  const bench = process.cpuUsage(bench0);
  const images = Math.max(1, measured.result.requests);
  const perImage = (ms: number) => Math.round((ms / images) * 100) / 100;
  const { cpuMs: _, ...result } = measured.result as LoadResult & { cpuMs?: number };
  const r: Round = {
    peer,
    scenario,
    concurrency,
    pair,
    ...result,
    peakRssMiB: Math.round(measured.peak),
    cpuMsPerImage: perImage(measured.cpuMs),
    benchCpuMsPerImage: perImage((bench.user + bench.system) / 1000),
  };
  log(
    `${scenarios[scenario].label} c=${concurrency} ${pair ? `pair ${pair}` : "warm-up"} ${peer}: ` +
      `${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.failed} failed, RSS ${r.peakRssMiB} MiB, ` +
      `CPU ${r.cpuMsPerImage} ms/img (+ load generator ${r.benchCpuMsPerImage})`,
  );
  return r;
}

const rounds: Round[] = [];
const out = join(import.meta.dirname, "..", "results");
mkdirSync(out, { recursive: true });
const resultsFile = join(out, "scissors.json");
const save = (extra: object = {}) =>
  writeFileSync(
    resultsFile,
    JSON.stringify(
      {
        machine: { cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30) },
        outputBytes,
        quality,
        rounds,
        ...extra,
      },
      null,
      2,
    ),
  );

async function cell(peers: string[], scenario: ScenarioName, concurrency: number) {
  for (const peer of peers) await round(peer, scenario, concurrency, 0); // warm-up, discarded
  for (let pair = 1; pair <= pairs; pair++) {
    // A B C D, then D C B A: no peer always runs first or last.
    const order = pair % 2 ? peers : [...peers].reverse();
    for (const peer of order) rounds.push(await round(peer, scenario, concurrency, pair));
    save();
  }
}

const compared = [...peerDefs.map((p) => p.name), ...(wanted(inProcessName) ? [inProcessName] : [])];
for (const scenario of Object.keys(scenarios) as ScenarioName[]) {
  for (const concurrency of concurrencies) await cell(compared, scenario, concurrency);
}
if (withCache) await cell(["scissors", "scissors (cached)"], "fit512", 8);

for (const peer of running) await peer.stop();
origin.close();

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const summary = (peer: string, scenario: ScenarioName, concurrency: number) => {
  const mine = rounds.filter((r) => r.peer === peer && r.scenario === scenario && r.concurrency === concurrency);
  if (!mine.length) return undefined;
  return {
    rps: Math.round(median(mine.map((r) => r.rps)) * 10) / 10,
    p50: Math.round(median(mine.map((r) => r.p50)) * 10) / 10,
    p99: Math.round(median(mine.map((r) => r.p99)) * 10) / 10,
    max: Math.round(Math.max(...mine.map((r) => r.max))),
    peakRssMiB: Math.max(...mine.map((r) => r.peakRssMiB)),
    failed: mine.reduce((sum, r) => sum + r.failed, 0),
    meanBytes: Math.round(median(mine.map((r) => r.meanBytes))),
    cpuMsPerImage: Math.round(median(mine.map((r) => r.cpuMsPerImage)) * 100) / 100,
    benchCpuMsPerImage: Math.round(median(mine.map((r) => r.benchCpuMsPerImage)) * 100) / 100,
  };
};

const lines: string[] = [];
const row = (cells: (string | number)[]) =>
  lines.push(cells.map((c, i) => String(c).padEnd(i === 0 ? 20 : i === 1 ? 12 : 11)).join(""));
const summaries: Record<string, unknown> = {};
for (const scenario of Object.keys(scenarios) as ScenarioName[]) {
  for (const concurrency of concurrencies) {
    lines.push(
      "",
      `${scenarios[scenario].label}, concurrency ${concurrency}, median of ${pairs} rounds of ${seconds} s`,
    );
    row([
      "",
      "req/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "peak RSS",
      "bytes/img",
      "failed",
      "CPU ms/img",
      "load gen",
      "SSIM",
      "ours ÷ it",
    ]);
    const ours = summary("scissors", scenario, concurrency);
    for (const peer of compared) {
      const s = summary(peer, scenario, concurrency);
      if (!s || !ours) continue;
      summaries[`${scenario}/c${concurrency}/${peer}`] = s;
      const ratio = peer === "scissors" ? "" : `${(ours.rps / s.rps).toFixed(2)}×`;
      row([
        peer,
        s.rps,
        s.p50,
        s.p99,
        s.max,
        `${s.peakRssMiB} MiB`,
        s.meanBytes,
        s.failed,
        s.cpuMsPerImage,
        s.benchCpuMsPerImage,
        quality[peer]?.[scenario]?.ssim ?? "",
        ratio,
      ]);
    }
  }
}
const unc = summary("scissors", "fit512", 8);
const hit = summary("scissors (cached)", "fit512", 8);
if (unc && hit) {
  summaries.cache = { uncached: unc, cached: hit };
  lines.push("", `result cache, ${scenarios.fit512.label}, concurrency 8`);
  row(["", "req/s", "p50 ms", "p99 ms", "max ms", "peak RSS"]);
  row(["uncached", unc.rps, unc.p50, unc.p99, unc.max, `${unc.peakRssMiB} MiB`]);
  row(["cached", hit.rps, hit.p50, hit.p99, hit.max, `${hit.peakRssMiB} MiB`]);
  lines.push(
    `cached ÷ uncached: ${(hit.rps / unc.rps).toFixed(1)}× req/s, ${(unc.p50 / hit.p50).toFixed(1)}× lower p50 latency`,
  );
}
lines.push(
  "",
  `versions: ${[...peerDefs, ...(withCache ? [cachedDef] : [])].map((p) => `${p.name} ${p.version}`).join(", ")}`,
);
if (!imgproxy) lines.push("imgproxy: not served by the Go module proxy here; left out (see the log above)");
process.stdout.write(`${lines.join("\n")}\n`);
save({ summaries, pairs, seconds });
