// Starts the real ad server in-process against a real Redis, with settings a test can override.
import type { Redis } from "ioredis";
import { type RunningAdServer, type Runtime, startAdServer } from "../../src/ad-server.ts";
import type { AdServerConfig } from "../../src/config.ts";
import { seedSchema } from "../../src/loader/seed-file.ts";
import { writeCatalog } from "../../src/loader/write-catalog.ts";
import { creative } from "./factories.ts";

export const BEACON_SECRET = "test-secret-0123456789";

export function testConfig(redisUrl: string, overrides: Partial<AdServerConfig> = {}): AdServerConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    redisUrl,
    // Generous: functional tests must not depend on how busy the machine is; the fault tests set their own.
    deadlineMs: 2000,
    reserveMs: 5,
    redisCommandTimeoutMs: 200,
    redisConnectTimeoutMs: 500,
    counterTimeoutMs: 2000,
    catalogPollMs: 100,
    pacingRefreshMs: 100,
    counterFlushMs: 20,
    counterMaxPending: 100_000,
    slotCacheEntries: 1000,
    userCacheEntries: 1000,
    userFreshMs: 5000,
    userMaxStaleMs: 3_600_000,
    fallback: { creatives: [{ ...creative("house-300"), weight: 1 }] },
    beaconSecret: BEACON_SECRET,
    beaconBaseUrl: "",
    beaconMaxAgeSeconds: 3600,
    logLevel: "error",
    logSampleRate: 0,
    shutdownDelayMs: 0,
    shutdownTimeoutMs: 2000,
    ...overrides,
  };
}

export async function startServer(
  redisUrl: string,
  overrides: Partial<AdServerConfig> = {},
  runtime: Runtime = {},
): Promise<RunningAdServer> {
  const server = await startAdServer(testConfig(redisUrl, overrides), { writeLog: () => {}, ...runtime });
  await server.ready;
  return server;
}

export async function load(redis: Redis, seed: unknown): Promise<number> {
  return (await writeCatalog(redis, seedSchema.parse(seed), "test")).version;
}

export interface AdResponse {
  status: number;
  body: Record<string, unknown> | undefined;
}

export async function getAd(base: string, query: Record<string, string>): Promise<AdResponse> {
  const response = await fetch(`${base}/v1/ad?${new URLSearchParams(query)}`);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

export const visitor = (uid: string, extra: Record<string, string> = {}) => ({
  slot: "mpu",
  uid,
  device: "mobile",
  country: "JP",
  ...extra,
});
