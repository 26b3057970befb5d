// The server as a process, the way Kubernetes runs it: ready once the catalog is loaded, not ready the
// moment SIGTERM arrives, still answering during the drain, then a clean exit with its counters written.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../../../../test/helpers/testbed.ts";
import { utcDay } from "../../src/domain/pacing.ts";
import { keys } from "../../src/redis/keys.ts";
import { campaign, seed } from "../support/factories.ts";
import { BEACON_SECRET, getAd, load, visitor } from "../support/harness.ts";
import { RedisProcess } from "../support/redis-process.ts";

const entry = new URL("../../src/server.ts", import.meta.url).pathname;
let redis: RedisProcess;
let client: Redis;
let child: ChildProcess | undefined;

beforeAll(async () => {
  redis = await RedisProcess.start();
  client = redis.client();
  await load(client, seed([campaign("c1")]));
});

afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  client?.disconnect();
  await redis?.stop();
});

it("fails readiness at SIGTERM, keeps serving through the drain, then exits 0 with counters flushed", async () => {
  const port = await freePort();
  const lines: string[] = [];
  child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      PORT: String(port),
      REDIS_URL: redis.url,
      ADSERVER_BEACON_SECRET: BEACON_SECRET,
      // Stands in for the preStop sleep: the window in which the load balancer notices the failing /ping.
      ADSERVER_SHUTDOWN_DELAY_MS: "3000",
      ADSERVER_COUNTER_FLUSH_MS: "60000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout?.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => expect((await fetch(`${base}/ping`)).status).toBe(200));
  expect((await getAd(base, visitor("u1"))).status).toBe(200);

  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await eventually(() => expect(lines.some((l) => l.includes("readiness now fails"))).toBe(true));
  expect((await fetch(`${base}/ping`)).status).toBe(503);
  const during = await fetch(`${base}/v1/ad?${new URLSearchParams(visitor("u2"))}`);
  expect(during.status).toBe(200);
  expect(during.headers.get("connection")).toBe("close");

  const [code] = await exited;
  expect(code).toBe(0);
  // The flush interval is a minute: only the shutdown flush can have written these two serves.
  expect(await client.get(keys.delivered(utcDay(Date.now()), "c1"))).toBe("2");
  expect(lines.map((l) => JSON.parse(l).msg)).toContain("stopped");
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}
