// Where the memory goes: each arm's idle RSS, then its peak under the bench's load, and the increment
// between the two, with CPU per image and p99, in one run. Arms run one after another, on the same photos.
// Also a bare `import("sharp")` process: the floor of any Node service on sharp.
//
//   node test/bench/scissors/memory.ts [secondsPerCell=4] [arm,arm,...]
// Run it under the heavy-job lock, as the bench. Loopback only; every load run is bounded in time.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { nodeFlags } from "../../../services/scissors/build.ts";
import { runLoad } from "./load.ts";
import { imgproxyPeer, type Peer, type ScissorsVariant, scissorsPeer } from "./peers.ts";
import { benchPhotos } from "./photos.ts";
import { treeCpuMs, treeRssMiB } from "./proc.ts";
import { type ScenarioName, scenarios } from "./scenarios.ts";

const seconds = Number(process.argv[2] ?? 4);
const only = process.argv[3]?.split(",");
const log = (message: string) => process.stderr.write(`[memory] ${message}\n`);

const { dir, names } = await benchPhotos(log);
const photos = new Map(names.map((name) => [name, readFileSync(join(dir, name))]));
const stamp = new Date(Date.now() - 86_400_000).toUTCString();
const origin = http.createServer((req, res) => {
  const body = photos.get((req.url ?? "").slice(1));
  if (!body) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": "image/jpeg", "content-length": body.length, "last-modified": stamp });
  res.end(body);
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const arms: Peer[] = [
  scissorsPeer("scissors", 0),
  scissorsPeer("scissors (jemalloc)", 0, { jemalloc: true }),
  scissorsPeer("scissors (V8's young gen)", 0, { nodeFlags: nodeFlags.filter((f) => !f.startsWith("--max-semi")) }),
  // More variants to try, as JSON: [{"name": "…", "variant": {ScissorsVariant}}].
  ...(JSON.parse(process.env.ARMS ?? "[]") as { name: string; variant: ScissorsVariant }[]).map((arm) =>
    scissorsPeer(arm.name, 0, arm.variant),
  ),
  ...[imgproxyPeer(log)].filter((p): p is Peer => p !== undefined),
].filter((arm) => !only || only.includes(arm.name));

const rss = (pid: number) => Math.round(treeRssMiB(pid));
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

// The floor: Node with sharp loaded (and so libvips), nothing else, as the service runs it.
const bare = spawn(process.execPath, [...nodeFlags, "-e", "import('sharp').then(() => setInterval(() => {}, 1e3))"], {
  env: { ...process.env, MALLOC_ARENA_MAX: "2" },
  stdio: "ignore",
});
await new Promise((resolve) => setTimeout(resolve, 2_000));
log(`node + import("sharp"), idle: ${rss(bare.pid as number)} MiB`);
bare.kill();

for (const arm of arms) {
  const peer = await arm.start(originUrl);
  await settle();
  const idle = rss(peer.pid);
  // One request per scenario first: what loading the code paths (koffi, encoders) costs before any load.
  for (const s of Object.keys(scenarios) as ScenarioName[]) await fetch(peer.url(names[0] as string, s));
  await settle();
  const warm = rss(peer.pid);
  const cells: string[] = [];
  for (const s of Object.keys(scenarios) as ScenarioName[]) {
    for (const c of [2, 8]) {
      let peak = 0;
      const timer = setInterval(() => {
        peak = Math.max(peak, rss(peer.pid));
      }, 50);
      const cpu0 = treeCpuMs(peer.pid);
      const result = await runLoad(
        names.map((n) => peer.url(n, s)),
        c,
        seconds * 1000,
      );
      clearInterval(timer);
      const cpu = (treeCpuMs(peer.pid) - cpu0) / Math.max(1, result.requests);
      cells.push(
        `${s} c=${c}: peak ${peak} (+${peak - idle}) MiB, ${result.rps} req/s, p99 ${result.p99} ms, CPU ${cpu.toFixed(2)} ms/img`,
      );
    }
  }
  await settle();
  log(`${arm.name}: idle ${idle} MiB, after one request each ${warm}, after load ${rss(peer.pid)}`);
  for (const line of cells) log(`  ${line}`);
  await peer.stop();
}
origin.close();
