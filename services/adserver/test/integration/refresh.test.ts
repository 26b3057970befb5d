// Stale users' cap counters are re-read in bulk (one script call for many users, with a counter flush) and
// changed in place, exactly: what Redis holds (other pods' serves included) plus what this pod has pending.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../../../../test/helpers/testbed.ts";
import type { RunningAdServer } from "../../src/ad-server.ts";
import { capField } from "../../src/domain/frequency.ts";
import { keys } from "../../src/redis/keys.ts";
import { campaign, seed } from "../support/factories.ts";
import { getAd, load, startServer, visitor } from "../support/harness.ts";
import { RedisProcess } from "../support/redis-process.ts";

const NOON = Date.parse("2030-06-15T12:00:00Z");
const cap = { impressions: 4, windowSeconds: 86_400 };
const users = ["u1", "u2", "u3", "u4", "u5"];
let clock = NOON;
let redis: RedisProcess;
let client: Redis;
let monitor: Redis;
let server: RunningAdServer;
const commands: string[][] = [];

beforeAll(async () => {
  redis = await RedisProcess.start();
  client = redis.client();
  await load(client, seed([campaign("capped", { frequencyCap: cap })]));
  // A long flush interval, so that the five re-reads below fall into one or two flushes.
  const settings = { catalogPollMs: 60_000, pacingRefreshMs: 60_000, counterFlushMs: 200 };
  server = await startServer(redis.url, settings, { now: () => clock });
  monitor = await client.duplicate().monitor();
  monitor.on("monitor", (_time: string, args: string[]) => commands.push(args));
});

afterAll(async () => {
  await server?.shutdown();
  monitor?.disconnect();
  client?.disconnect();
  await redis?.stop();
});

const served = async (uid: string) => (await getAd(server.url, visitor(uid))).body?.campaignId === "capped";
const field = capField("capped", cap, NOON);

it("re-reads stale users in one call and counts other pods' serves exactly once", async () => {
  for (const uid of users) expect(await served(uid)).toBe(true);
  for (const uid of users) await eventually(async () => expect(await client.hget(keys.userCaps(uid), field)).toBe("1"));
  // Another pod serves each user once meanwhile.
  for (const uid of users) await client.hincrby(keys.userCaps(uid), field, 1);

  clock += 6_000; // past the 5 s freshness: the next lookups serve the stale counts (1) and queue a re-read
  const before = commands.length;
  for (const uid of users) expect(await served(uid)).toBe(true);
  // Redis now holds 1 + 1 (other pod) + 1 (the serve just made): the re-read must make it 3, not 2 or 4.
  await eventually(() => {
    // readHashes is the script call with keys and no other arguments.
    const bulk = commands
      .slice(before)
      .filter((c) => ["evalsha", "eval"].includes(c[0]?.toLowerCase() ?? "") && c.length === 3 + Number(c[2]));
    expect(new Set(bulk.flatMap((c) => c.slice(3)))).toEqual(new Set(users.map(keys.userCaps)));
    expect(bulk.length).toBeLessThan(users.length);
  });
  await eventually(async () => expect(await client.hget(keys.userCaps("u1"), field)).toBe("3"));
  for (const uid of users) {
    expect(await served(uid)).toBe(true); // the 4th of a cap of 4
    expect(await served(uid)).toBe(false);
  }
  expect(commands.slice(before).filter((c) => c[0]?.toLowerCase() === "hgetall" && users.includes(c[1] ?? ""))).toEqual(
    [],
  );
});
