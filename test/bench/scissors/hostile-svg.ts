// Benchmark: what 20 hostile SVG requests in flight cost the good ones. Scissors serves 2K photos (fit
// 512×512 q80, as in the main bench) from one source and SVG, rasterised by opt-in, from another. Rounds
// of good traffic alone (A) alternate with rounds of the same good traffic plus 20 closed-loop clients
// sending the hostile SVG corpus of the integration tests (B), A B / B A, the median of `pairs` pairs after
// a warm-up pair. Prints a table; writes raw rounds to test/bench/results/scissors-hostile-svg.json.
//
//   npm run bench:svg -w services/scissors -- [pairs=5] [secondsPerRound=3]
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { nodeFlags } from "../../../services/scissors/build.ts";
import {
  embeddedBomb,
  fullPngBomb,
  hostileSvgs,
  slowSvg,
} from "../../../services/scissors/test/integration/helpers/hostile-svgs.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { bundled } from "./peers.ts";
import { benchPhotos } from "./photos.ts";
import { treeCpuMs } from "./proc.ts";

const [pairs = 5, seconds = 3] = process.argv.slice(2, 4).map(Number);
const durationMs = seconds * 1000;
const hostileInFlight = 20;
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const { dir, names } = await benchPhotos(log);
const files = new Map(names.map((name) => [`/${name}`, readFileSync(join(dir, name))]));
const bomb = fullPngBomb(10_000);
const smallPng = await sharp(readFileSync(join(dir, names[0] as string)))
  .resize(64)
  .png()
  .toBuffer();
const svgs = [
  ...hostileSvgs(bomb, smallPng).map((entry) => entry.svg("http://127.0.0.1:9")),
  slowSvg(),
  embeddedBomb(bomb),
];
for (const [i, svg] of svgs.entries()) files.set(`/${i}.svg`, Buffer.from(svg));
const origin = http.createServer((req, res) => {
  const body = files.get((req.url ?? "").split("?")[0] as string);
  if (!body) return res.writeHead(404).end();
  res.writeHead(200, { "content-length": body.length, etag: `"${body.length}"` }).end(body);
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const main = await bundled(join(import.meta.dirname, "..", "..", "..", "services", "scissors", "src", "main.ts"));
const child = spawn(process.execPath, [...nodeFlags, main], {
  env: {
    ...process.env,
    MALLOC_ARENA_MAX: "2",
    SCISSORS_HOST: "127.0.0.1",
    SCISSORS_PORT: "0",
    SCISSORS_SOURCES: JSON.stringify([
      { prefix: "svg", type: "http", origin: originUrl, trustPrivateNetwork: true, svg: "rasterize" },
      { prefix: "", type: "http", origin: originUrl, trustPrivateNetwork: true },
    ]),
    SCISSORS_DRAIN_DELAY_MS: "0",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const base = await new Promise<string>((resolve, reject) => {
  child.stdout?.on("data", (chunk: Buffer) => {
    const line = chunk
      .toString()
      .split("\n")
      .find((l) => l.includes('"msg":"listening"'));
    if (line) resolve(JSON.parse(line).url as string);
  });
  child.once("exit", (code) => reject(new Error(`scissors exited with ${code}`)));
});
child.stdout?.resume();
const goodUrls = names.map((name) => `${base}/${name}?width=512&height=512&fit=inside&quality=80`);

/** 20 closed-loop clients cycling through the hostile SVGs; each request its own flight (distinct quality). */
async function hostileLoad(until: () => boolean) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: hostileInFlight });
  const statuses = new Map<number, number>();
  let sent = 0;
  const get = (url: string) =>
    new Promise<number>((resolve) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
        .on("error", () => resolve(0));
    });
  const worker = async () => {
    while (!until()) {
      const n = sent++;
      const status = await get(`${base}/svg/${n % svgs.length}.svg?quality=${1 + (n % 100)}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: hostileInFlight }, worker));
  agent.destroy();
  return Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
}

interface Round extends LoadResult {
  arm: "good alone" | "with 20 hostile SVGs";
  concurrency: number;
  pair: number;
  cpuMsPerImage: number;
  hostile?: Record<string, number>;
}

async function round(arm: Round["arm"], concurrency: number, pair: number): Promise<Round> {
  const cpu0 = treeCpuMs(child.pid as number);
  let done = false;
  const hostile = arm === "good alone" ? undefined : hostileLoad(() => done);
  // The hostile clients get a head start, so the good round begins with them in flight.
  if (hostile) await new Promise((resolve) => setTimeout(resolve, 300));
  const result = await runLoad(goodUrls, concurrency, durationMs);
  // Taken when the good load ends: hostile answers still on their way after that are not the round's.
  const cpuMs = treeCpuMs(child.pid as number) - cpu0;
  done = true;
  const statuses = await hostile;
  const cpuMsPerImage = Math.round((cpuMs / Math.max(1, result.requests)) * 100) / 100;
  const r: Round = { arm, concurrency, pair, ...result, cpuMsPerImage, hostile: statuses };
  log(
    `c=${concurrency} ${pair ? `pair ${pair}` : "warm-up"} ${arm}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
      `${r.failed} failed${statuses ? `, hostile answers ${JSON.stringify(statuses)}` : ""}`,
  );
  return r;
}

const rounds: Round[] = [];
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const lines = [`good requests (fit 512×512 q80) alone and with ${hostileInFlight} hostile SVG requests in flight`];
lines.push(`${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; median of ${pairs} pairs of ${seconds} s`);
lines.push(
  "| c | arm | req/s | p50 ms | p99 ms | max ms | tree CPU ms / good image | good failed | hostile answers (status: count) |",
);
lines.push(
  "| - | --- | ----- | ------ | ------ | ------ | ------------------------ | ----------- | -------------------------------- |",
);
for (const concurrency of [2, 8]) {
  await round("good alone", concurrency, 0);
  await round("with 20 hostile SVGs", concurrency, 0);
  const ratios: number[] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const order: Round["arm"][] =
      pair % 2 ? ["good alone", "with 20 hostile SVGs"] : ["with 20 hostile SVGs", "good alone"];
    const [first, second] = [
      await round(order[0] as Round["arm"], concurrency, pair),
      await round(order[1] as Round["arm"], concurrency, pair),
    ];
    rounds.push(first, second);
    const [alone, hostile] = first.arm === "good alone" ? [first, second] : [second, first];
    ratios.push(hostile.rps / alone.rps);
  }
  for (const arm of ["good alone", "with 20 hostile SVGs"] as const) {
    const mine = rounds.filter((r) => r.arm === arm && r.concurrency === concurrency);
    const m = (key: "rps" | "p50" | "p99" | "max" | "cpuMsPerImage") => median(mine.map((r) => r[key]));
    const failed = mine.reduce((sum, r) => sum + r.failed, 0);
    const hostile: Record<string, number> = {};
    for (const r of mine) for (const [s, n] of Object.entries(r.hostile ?? {})) hostile[s] = (hostile[s] ?? 0) + n;
    lines.push(
      `| ${concurrency} | ${arm} | ${m("rps")} | ${m("p50")} | ${m("p99")} | ${m("max")} | ${m("cpuMsPerImage")} | ${failed} | ${JSON.stringify(hostile)} |`,
    );
  }
  lines.push(
    `| ${concurrency} | with ÷ alone, median of pairs | ${median(ratios).toFixed(2)}× | | | | | | req/s ratios ${ratios.map((r) => r.toFixed(2)).join(", ")} |`,
  );
}
const out = join(import.meta.dirname, "..", "results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "scissors-hostile-svg.json"), JSON.stringify({ rounds }, null, 2));
process.stdout.write(`${lines.join("\n")}\n`);
child.kill("SIGKILL");
origin.close();
