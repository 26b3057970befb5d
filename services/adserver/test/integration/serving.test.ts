// The ad server end to end against the testbed's Redis: selection, caps, pacing, beacons, bad input.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints, eventually } from "../../../../test/helpers/testbed.ts";
import type { RunningAdServer } from "../../src/ad-server.ts";
import { maxBeaconBodyBytes, maxQueryBytes } from "../../src/http/limits.ts";
import { keys } from "../../src/redis/keys.ts";
import { campaign, creative, seed, slot } from "../support/factories.ts";
import { getAd, load, startServer, visitor } from "../support/harness.ts";

// A database of our own on the shared Redis, so the catalog pointer is not shared with other tests.
const redisUrl = () => `${endpoints().redisUrl}/12`;
const NOON = Date.parse("2030-06-15T12:00:00Z");
const clock = { now: () => NOON };

const catalog = seed(
  [
    campaign("jp-mobile", {
      priority: 5,
      frequencyCap: { impressions: 2, windowSeconds: 3600 },
      targeting: { slots: ["mpu"], devices: ["mobile"], countries: ["JP"] },
    }),
    campaign("filler", {
      targeting: { slots: ["mpu", "top"] },
      creatives: [creative("f-300"), creative("f-728", "728x90")],
    }),
    campaign("top-desktop", { targeting: { slots: ["desktop-only"], devices: ["desktop"] } }),
    campaign("paced", { dailyBudget: 100, targeting: { slots: ["paced"] } }),
  ],
  [slot("mpu"), slot("top", ["728x90", "970x250"]), slot("desktop-only"), slot("paced")],
);

let redis: Redis;
let server: RunningAdServer;

beforeAll(async () => {
  redis = new Redis(redisUrl());
  await redis.flushdb();
  await load(redis, catalog);
  server = await startServer(redisUrl(), {}, clock);
});

afterAll(async () => {
  await server?.shutdown();
  await redis?.flushdb();
  redis?.disconnect();
});

describe("GET /v1/ad", () => {
  it("returns the chosen creative as JSON, with signed beacon URLs", async () => {
    const { status, body } = await getAd(server.url, visitor("first-visit"));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      slot: "mpu",
      campaignId: "jp-mobile",
      creativeId: "jp-mobile-300",
      size: "300x250",
      imageUrl: "https://cdn.example.com/jp-mobile-300.png",
      clickUrl: "https://example.com/jp-mobile-300",
    });
    expect(body?.impressionUrl).toMatch(/^\/v1\/beacon\?t=[\w.:~-]+~[\w-]{22}&e=impression$/);
  });

  it("falls through targeting to the next campaign", async () => {
    const { body } = await getAd(server.url, visitor("desktop-visit", { device: "desktop" }));
    expect(body?.campaignId).toBe("filler");
    const banner = await getAd(server.url, visitor("u", { slot: "top" }));
    expect(banner.body).toMatchObject({ campaignId: "filler", creativeId: "f-728", size: "728x90" });
  });

  it("answers 204 when nothing matches, and for a slot the catalog does not have", async () => {
    expect((await getAd(server.url, visitor("u", { slot: "desktop-only" }))).status).toBe(204);
    expect((await getAd(server.url, visitor("u", { slot: "no-such-slot" }))).status).toBe(204);
  });

  it("answers 400 with a clear message for a malformed query", async () => {
    const bad = await getAd(server.url, { slot: "mpu", uid: "u", device: "phone", country: "Japan" });
    expect(bad).toEqual({
      status: 400,
      body: {
        error: "bad_request",
        message:
          "device must be one of desktop, mobile, tablet, ctv; country must be an ISO 3166-1 alpha-2 code, e.g. JP",
      },
    });
    const size = await getAd(server.url, visitor("u", { slot: "top", size: "300x250" }));
    expect(size.status).toBe(400);
    expect(size.body?.message).toBe("size 300x250 is not a size of slot top (728x90, 970x250)");
  });
});

describe("frequency caps", () => {
  it("stop a campaign at its cap for the user, in this pod and in another one", async () => {
    const served = [];
    for (let i = 0; i < 3; i++) served.push((await getAd(server.url, visitor("capped-user"))).body?.campaignId);
    expect(served).toEqual(["jp-mobile", "jp-mobile", "filler"]);

    const field = `jp-mobile:${Math.floor(NOON / 3_600_000)}`;
    await eventually(async () => expect(await redis.hget(keys.userCaps("capped-user"), field)).toBe("2"));
    expect(await redis.ttl(keys.userCaps("capped-user"))).toBeGreaterThan(0);

    const otherPod = await startServer(redisUrl(), {}, clock);
    try {
      expect((await getAd(otherPod.url, visitor("capped-user"))).body?.campaignId).toBe("filler");
      expect((await getAd(otherPod.url, visitor("fresh-user"))).body?.campaignId).toBe("jp-mobile");
    } finally {
      await otherPod.shutdown();
    }
  });
});

describe("pacing", () => {
  it("serves no more than the even share of the daily budget, and counts it in Redis", async () => {
    // At noon: half of 100, plus a 1% slack of one impression.
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await getAd(server.url, visitor(`p${i}`, { slot: "paced" }))).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(51);
    expect(statuses.slice(51)).toEqual(Array(9).fill(204));
    await eventually(async () => expect(await redis.get(keys.delivered("20300615", "paced"))).toBe("51"));
  });
});

describe("beacons", () => {
  it("count impressions and clicks from a signed token, and refuse a forged one", async () => {
    const { body } = await getAd(server.url, visitor("beacon-user", { slot: "top" }));
    for (const url of [body?.impressionUrl, body?.clickTrackingUrl]) {
      expect((await fetch(`${server.url}${url}`)).status).toBe(204);
    }
    await eventually(async () =>
      expect(await redis.hgetall(keys.beacons("20300615", "filler"))).toEqual({ impressions: "1", clicks: "1" }),
    );
    const forged = String(body?.impressionUrl).replace(/t=\w/, "t=A");
    const refused = await fetch(`${server.url}${forged}`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: "bad_request",
      message: "t is not a valid, unexpired beacon token",
    });
  });
});

describe("request size limits", () => {
  // Unknown parameters (cache busters) pass, so one of padding makes a query string of exactly `bytes`.
  const paddedQuery = (query: string, bytes: number) => `${query}&cb=${"x".repeat(bytes - query.length - 4)}`;
  const adQuery = (bytes: number) => paddedQuery(new URLSearchParams(visitor("limit-user")).toString(), bytes);

  it(`serves an ad for a query string of ${maxQueryBytes - 1} bytes and refuses one of ${maxQueryBytes + 1} with 414`, async () => {
    expect(adQuery(maxQueryBytes - 1)).toHaveLength(maxQueryBytes - 1);
    expect((await fetch(`${server.url}/v1/ad?${adQuery(maxQueryBytes - 1)}`)).status).toBe(200);
    const refused = await fetch(`${server.url}/v1/ad?${adQuery(maxQueryBytes + 1)}`);
    expect(refused.status).toBe(414);
    expect(await refused.json()).toEqual({
      error: "uri_too_long",
      message: `the query string may be at most ${maxQueryBytes} bytes`,
    });
  });

  it(`counts a beacon posting ${maxBeaconBodyBytes - 1} bytes and refuses one posting ${maxBeaconBodyBytes + 1} with 413`, async () => {
    const { body } = await getAd(server.url, visitor("limit-beacon", { slot: "top" }));
    const click = `${server.url}${body?.clickTrackingUrl}`;
    const beacon = (bytes: number) => fetch(click, { method: "POST", body: "x".repeat(bytes) });
    expect((await beacon(maxBeaconBodyBytes - 1)).status).toBe(204);
    const refused = await beacon(maxBeaconBodyBytes + 1);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({
      error: "payload_too_large",
      message: `a beacon body may be at most ${maxBeaconBodyBytes} bytes`,
    });
    const beaconQuery = paddedQuery(String(body?.clickTrackingUrl).split("?")[1] ?? "", maxQueryBytes + 1);
    expect((await fetch(`${server.url}/v1/beacon?${beaconQuery}`)).status).toBe(414);
    // Only the beacon within the limits was counted (the served ad's impression is not a beacon).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await redis.hgetall(keys.beacons("20300615", "filler"))).toMatchObject({ clicks: "2" });
  });
});

describe("metrics", () => {
  it("expose request latency, cache hit ratio and Redis latency", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/adserver_http_request_duration_seconds_bucket\{le="0.005",route="ad",outcome="served"\}/);
    expect(text).toMatch(/adserver_cache_hit_ratio\{cache="slot"\} 0\.\d+/);
    expect(text).toMatch(/adserver_redis_command_duration_seconds_count\{op="slot"\} \d+/);
  });
});
