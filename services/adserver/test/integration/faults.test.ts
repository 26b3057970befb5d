// Redis killed in the middle of a load run and restarted, and Redis stalled: no 5xx, answers within the
// deadline from the local cache or the house ad, and reconnection without help. Uses a Redis of our own.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../../test/helpers/testbed.ts";
import type { RunningAdServer } from "../../src/ad-server.ts";
import { utcDay } from "../../src/domain/pacing.ts";
import { keys } from "../../src/redis/keys.ts";
import { campaign, seed, slot } from "../support/factories.ts";
import { type AdResponse, getAd, load, startServer, visitor } from "../support/harness.ts";
import { RedisProcess } from "../support/redis-process.ts";

let redis: RedisProcess;
let client: Redis;
let server: RunningAdServer;

const catalog = seed(
  [
    // Capped campaigns need the user's counters from Redis; the filler serves without them.
    campaign("capped", { priority: 5, frequencyCap: { impressions: 1_000_000, windowSeconds: 86_400 } }),
    campaign("filler", { targeting: { slots: ["mpu", "cold"] } }),
  ],
  [slot("mpu"), slot("cold")],
);

beforeAll(async () => {
  redis = await RedisProcess.start();
  client = redis.client();
  client.on("error", () => {});
  await load(client, catalog);
  server = await startServer(redis.url, { deadlineMs: 50, reserveMs: 5, redisCommandTimeoutMs: 1000 });
});

afterAll(async () => {
  await server?.shutdown();
  client?.disconnect();
  await redis?.stop();
});

/** Closed-loop load: `workers` clients each send one request after another until stopped. */
function loadRun(workers: number, uid: (n: number) => string) {
  const responses: AdResponse[] = [];
  let stopped = false;
  let n = 0;
  const running = Array.from({ length: workers }, async () => {
    while (!stopped) responses.push(await getAd(server.url, visitor(uid(n++))));
  });
  return {
    responses,
    async until(count: number) {
      await eventually(() => expect(responses.length).toBeGreaterThanOrEqual(count), 60_000, 5);
    },
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

const tally = (responses: AdResponse[], campaignId: string) =>
  responses.filter((r) => r.body?.campaignId === campaignId).length;

describe("Redis killed in the middle of a load run, then restarted", () => {
  it("answers every request without a 5xx, reconnects, and writes the counters kept meanwhile", async () => {
    // Four in five requests come from known users, the rest from users never seen, who need a Redis read.
    const run = loadRun(8, (n) => (n % 5 === 0 ? `new-${n}` : `known-${n % 20}`));
    await run.until(300);

    await redis.kill();
    const atKill = run.responses.length;
    await run.until(atKill + 300);
    const outage = run.responses.slice(atKill);
    await redis.restart();
    const atRestart = run.responses.length;

    // Back to normal without help: a new user's counters are read from Redis again, so the capped campaign serves.
    await eventually(async () =>
      expect((await getAd(server.url, visitor(`after-${Math.random()}`))).body?.campaignId).toBe("capped"),
    );
    await run.until(run.responses.length + 300);
    await run.stop();

    expect(run.responses.filter((r) => r.status !== 200)).toEqual([]);
    // During the outage known users kept their capped ad from the cache, and new users got the filler.
    expect(tally(outage, "capped")).toBeGreaterThan(0);
    expect(tally(outage, "filler")).toBeGreaterThan(0);
    expect(atRestart).toBeGreaterThan(atKill);

    // Serves counted while Redis was down are written after it returns (at least once: a batch cut by the kill
    // may be counted twice, never lost).
    const day = utcDay(Date.now());
    const served = tally(run.responses, "capped");
    await eventually(async () =>
      expect(Number(await client.get(keys.delivered(day, "capped")))).toBeGreaterThanOrEqual(served),
    );
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/adserver_redis_errors_total\{op="user_caps"\} [1-9]/);
  });
});

describe("Redis stalled", () => {
  it("answers within the deadline from the cache or the house ad, before Redis is back", async () => {
    await getAd(server.url, visitor("warm-user"));
    const staller = client.duplicate();
    let stallOver = false;
    const stall = staller.call("DEBUG", "SLEEP", "3").then(() => {
      stallOver = true;
    });
    // Let the DEBUG SLEEP reach Redis before the requests do (ordering, not a measured time).
    await new Promise((resolve) => setTimeout(resolve, 100));

    const [warm, newUser, coldSlot] = await Promise.all([
      getAd(server.url, visitor("warm-user")),
      getAd(server.url, visitor("stall-new-user")),
      getAd(server.url, visitor("stall-new-user", { slot: "cold" })),
    ]);
    expect(stallOver).toBe(false);
    expect(warm).toMatchObject({ status: 200, body: { campaignId: "capped" } });
    expect(newUser).toMatchObject({ status: 200, body: { campaignId: "filler" } });
    expect(coldSlot).toMatchObject({ status: 200, body: { fallback: true, creativeId: "house-300" } });

    await stall;
    staller.disconnect();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/adserver_http_request_duration_seconds_count\{route="ad",outcome="deadline"\} 1/);
    await eventually(async () =>
      expect((await getAd(server.url, visitor("stall-new-user"))).body?.campaignId).toBe("capped"),
    );
  });
});
