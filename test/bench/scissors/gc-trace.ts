// Where a request's time goes at low concurrency: the bundled service under the bench's closed loop, with
// extra Node flags (V8's GC traces, --cpu-prof), its stdout kept, and the service's own phase timings
// (/metrics) before and after the measured window.
//
//   node test/bench/scissors/gc-trace.ts [seconds=5] [concurrency=2] [scenario=fit512] [outDir]
//   FLAGS='["--trace-gc-nvp"]' adds Node flags after build.ts' nodeFlags; BUNDLE=<file.mjs> runs another
//   build of the service (another commit's, say); ELU=test/bench/scissors/event-loop.mjs (or another preload) is imported first and sent SIGUSR2 when
//   the measured window starts.
// Run it under the heavy-job lock, as the bench. Loopback only; the load is bounded in time.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { nodeFlags } from "../../../services/scissors/build.ts";
import { runLoad } from "./load.ts";
import { bundled } from "./peers.ts";
import { benchPhotos } from "./photos.ts";
import { treeCpuMs } from "./proc.ts";
import { type ScenarioName, scenarios } from "./scenarios.ts";

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 2);
const scenario = (process.argv[4] ?? "fit512") as ScenarioName;
const outDir = process.argv[5] ?? join(import.meta.dirname, ".build", "gc-trace");
const extraFlags = JSON.parse(process.env.FLAGS ?? "[]") as string[];
const log = (message: string) => process.stderr.write(`[gc-trace] ${message}\n`);

const { dir, names } = await benchPhotos(log);
const photos = new Map(names.map((name) => [name, readFileSync(join(dir, name))]));
const stamp = new Date(Date.now() - 86_400_000).toUTCString();
const origin = http.createServer((req, res) => {
  const body = photos.get((req.url ?? "").slice(1).split("?")[0] as string);
  if (!body) return res.writeHead(404).end();
  res.writeHead(200, {
    "content-type": "image/jpeg",
    "content-length": body.length,
    "last-modified": stamp,
    etag: `"${body.length.toString(16)}"`,
  });
  res.end(body);
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

mkdirSync(outDir, { recursive: true });
const main =
  (process.env.BUNDLE && resolve(process.env.BUNDLE)) ??
  (await bundled(join(import.meta.dirname, "..", "..", "..", "services", "scissors", "src", "main.ts")));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const stdoutFile = join(outDir, "stdout.txt");
const preload = process.env.ELU ? [`--import=${resolve(process.env.ELU)}`] : [];
const child = spawn(process.execPath, [...nodeFlags, ...extraFlags, ...preload, main], {
  cwd: outDir,
  env: {
    ...process.env,
    MALLOC_ARENA_MAX: "2",
    SCISSORS_HOST: "127.0.0.1",
    SCISSORS_PORT: String(port),
    SCISSORS_SOURCES: JSON.stringify([{ prefix: "", type: "http", origin: originUrl, trustPrivateNetwork: true }]),
    SCISSORS_CACHE_BYTES: "0",
    SCISSORS_LOG_LEVEL: "warn",
    SCISSORS_DRAIN_DELAY_MS: "0",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
let stdout = "";
const file = createWriteStream(stdoutFile);
child.stdout?.on("data", (chunk: Buffer) => {
  stdout += chunk.toString();
  file.write(chunk);
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/server/avail`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  if (i > 300 || child.exitCode !== null) throw new Error("service did not start");
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const { width, height, fit } = scenarios[scenario];
const urls = names.map((n) => `${base}/${n}?width=${width}&height=${height}&fit=${fit}&quality=80`);

/** Sums and counts of the service's histograms, by series. */
async function histograms(): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, { sum: number; count: number }>();
  for (const line of text.split("\n")) {
    const m = line.match(/^(scissors_(?:request|phase)_duration_seconds)_(sum|count)\{([^}]*)\} (\S+)/);
    if (!m) continue;
    const key = `${m[1]}{${m[3]}}`;
    const entry = out.get(key) ?? { sum: 0, count: 0 };
    if (m[2] === "sum") entry.sum = Number(m[4]);
    else entry.count = Number(m[4]);
    out.set(key, entry);
  }
  return out;
}

await runLoad(urls, concurrency, 1_000); // warm-up: code paths, koffi, the heap's first growth
const before = await histograms();
// A preload that measures the event loop (ELU=<file>, passed as --import) starts its window on SIGUSR2.
if (process.env.ELU) child.kill("SIGUSR2");
const mark = stdout.length;
const cpu0 = treeCpuMs(child.pid as number);
const result = await runLoad(urls, concurrency, seconds * 1000);
const cpu = treeCpuMs(child.pid as number) - cpu0;
const after = await histograms();
await new Promise((resolve) => setTimeout(resolve, 200));
const trace = stdout.slice(mark);

log(
  `${scenario} c=${concurrency}: ${result.requests} requests, ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, CPU ${(cpu / result.requests).toFixed(2)} ms/img`,
);
for (const [key, end] of after) {
  const start = before.get(key) ?? { sum: 0, count: 0 };
  const count = end.count - start.count;
  if (count > 0) log(`  ${key}: ${count} × ${(((end.sum - start.sum) / count) * 1000).toFixed(2)} ms`);
}
// V8's --trace-gc-nvp lines: one per GC, `gc=ms` (mark-compact) or `s` (scavenge), with its reason.
const gcs = trace.split("\n").filter((l) => /\bgc=\w+/.test(l));
const byKind = new Map<string, { n: number; pause: number; reasons: Map<string, number> }>();
for (const line of gcs) {
  const kind = line.match(/\bgc=(\w+)/)?.[1] ?? "?";
  const pause = Number(line.match(/\bpause=([\d.]+)/)?.[1] ?? 0);
  const reason = line.match(/\breason="?([^"=]+?)"?(?: \w+=|$)/)?.[1] ?? "";
  const entry = byKind.get(kind) ?? { n: 0, pause: 0, reasons: new Map() };
  entry.n++;
  entry.pause += pause;
  entry.reasons.set(reason, (entry.reasons.get(reason) ?? 0) + 1);
  byKind.set(kind, entry);
}
for (const [kind, e] of byKind) {
  log(`  gc=${kind}: ${e.n} × ${(e.pause / e.n).toFixed(2)} ms pause; reasons ${JSON.stringify([...e.reasons])}`);
}
log(`trace of the measured window: ${gcs.length} nvp lines; full stdout in ${stdoutFile}`);

const exited = new Promise((resolve) => child.once("close", resolve));
child.kill("SIGTERM");
await exited;
for (const line of stdout.slice(mark).split("\n")) if (line.startsWith("ELU ")) log(`  ${line}`);
file.end();
origin.close();
