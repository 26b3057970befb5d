// CPU profile of the ad server under the benchmark's warm (or 10%-miss) load: starts its own Redis and
// server with --cpu-prof, runs the load, stops the server (which writes the profile), prints the top
// functions by self time.
//
//   flock /tmp/hm-bench.lock node test/bench/adserver/profile.ts [outDir=/tmp/adserver-prof] [seconds=8] [newUserShare=0]
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { seedSchema } from "../../../services/adserver/src/loader/seed-file.ts";
import { writeCatalog } from "../../../services/adserver/src/loader/write-catalog.ts";
import { RedisProcess } from "../../../services/adserver/test/support/redis-process.ts";
import { benchCatalog } from "./catalog.ts";
import { adPath, knownUser, runLoad } from "./load.ts";
import { startProcess } from "./processes.ts";

const outDir = process.argv[2] ?? "/tmp/adserver-prof";
const seconds = Number(process.argv[3] ?? 8);
const newUserShare = Number(process.argv[4] ?? 0);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
mkdirSync(outDir, { recursive: true });
const before = new Set(readdirSync(outDir));

const redis = await RedisProcess.start();
try {
  const client = redis.client();
  await writeCatalog(client, seedSchema.parse(benchCatalog()), "bench");
  client.disconnect();
  const ad = await startProcess(
    ["--cpu-prof", `--cpu-prof-dir=${outDir}`, here("../../../services/adserver/src/server.ts")],
    {
      REDIS_URL: redis.url,
      ADSERVER_BEACON_SECRET: "bench-secret-0123456789",
      ADSERVER_LOG_SAMPLE_RATE: "0",
      ADSERVER_LOG_LEVEL: "warn",
    },
    async (url) => (await fetch(`${url}/ping`)).ok,
  );
  for (let i = 0; i < 10_000; i += 100)
    await Promise.all(
      Array.from({ length: 100 }, (_, k) => fetch(`${ad.url}${adPath(knownUser(i + k), i + k)}`).then((r) => r.text())),
    );
  const result = await runLoad({
    url: ad.url,
    connections: 10,
    durationSeconds: seconds,
    newUserShare,
    knownUsers: 10_000,
  });
  process.stderr.write(`${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms} ms\n`);
  await ad.stop();
} finally {
  await redis.stop();
}

const file = readdirSync(outDir).find((f) => f.endsWith(".cpuprofile") && !before.has(f));
if (!file) throw new Error("no profile written");
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const profile = JSON.parse(readFileSync(join(outDir, file), "utf8")) as {
  nodes: Node[];
  samples: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
for (const id of profile.samples) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const name = `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*\/(node_modules|src)\//, "$1/")}:${frame.lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + 1);
}
const total = profile.samples.length;
process.stdout.write(`${join(outDir, file)}: ${total} samples\n`);
for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45))
  process.stdout.write(`${((n / total) * 100).toFixed(1).padStart(5)}%  ${name}\n`);
