// N concurrent misses for one key cost one Redis call, counted by Redis itself (MONITOR) on a Redis of our own.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../../../../test/helpers/testbed.ts";
import type { RunningAdServer } from "../../src/ad-server.ts";
import { keys } from "../../src/redis/keys.ts";
import { campaign, seed } from "../support/factories.ts";
import { getAd, load, startServer, visitor } from "../support/harness.ts";
import { RedisProcess } from "../support/redis-process.ts";

let redis: RedisProcess;
let client: Redis;
let monitor: Redis;
let server: RunningAdServer;
const commands: string[][] = [];

beforeAll(async () => {
  redis = await RedisProcess.start();
  client = redis.client();
  await load(client, seed([campaign("capped", { frequencyCap: { impressions: 100, windowSeconds: 86_400 } })]));
  server = await startServer(redis.url, { catalogPollMs: 60_000, pacingRefreshMs: 60_000 });
  monitor = await client.duplicate().monitor();
  monitor.on("monitor", (_time: string, args: string[]) => commands.push(args));
});

afterAll(async () => {
  await server?.shutdown();
  monitor?.disconnect();
  client?.disconnect();
  await redis?.stop();
});

/** Every command Redis ran so far: a marker sent last shows up once all earlier ones have. */
async function commandsSoFar(): Promise<string[][]> {
  const marker = `marker-${commands.length}-${Math.random()}`;
  await client.echo(marker);
  await eventually(() => expect(commands.some((c) => c[1] === marker)).toBe(true));
  return [...commands];
}

const count = (seen: string[][], command: string, key: string) =>
  seen.filter((c) => c[0]?.toLowerCase() === command && c[1] === key).length;

it("makes 50 concurrent requests for a cold slot and one user cost one read of each", async () => {
  const before = (await commandsSoFar()).length;
  const responses = await Promise.all(Array.from({ length: 50 }, () => getAd(server.url, visitor("same-user"))));
  expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));

  const seen = (await commandsSoFar()).slice(before);
  expect(count(seen, "get", keys.slot(1, "mpu"))).toBe(1);
  expect(count(seen, "hgetall", keys.userCaps("same-user"))).toBe(1);
});

it("reads each distinct user once, and a cached slot not at all", async () => {
  const before = (await commandsSoFar()).length;
  await Promise.all(Array.from({ length: 20 }, (_, i) => getAd(server.url, visitor(`user-${i % 10}`))));

  const seen = (await commandsSoFar()).slice(before);
  expect(count(seen, "get", keys.slot(1, "mpu"))).toBe(0);
  expect(seen.filter((c) => c[0]?.toLowerCase() === "hgetall")).toHaveLength(10);
});
