// The server's settings, parsed from the environment once at start. A typo in an ADSERVER_ name is an error.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { levels } from "./ops/logger.ts";
import { type Fallback, fallbackSchema } from "./serving/fallback.ts";

export interface AdServerConfig {
  host: string;
  port: number;
  redisUrl: string;
  deadlineMs: number;
  reserveMs: number;
  redisCommandTimeoutMs: number;
  /** Timeout of counter flushes and the counter reads that share them. */
  counterTimeoutMs: number;
  redisConnectTimeoutMs: number;
  catalogPollMs: number;
  pacingRefreshMs: number;
  counterFlushMs: number;
  counterMaxPending: number;
  slotCacheEntries: number;
  userCacheEntries: number;
  userFreshMs: number;
  userMaxStaleMs: number;
  fallback: Fallback;
  beaconSecret: string;
  beaconBaseUrl: string;
  beaconMaxAgeSeconds: number;
  logLevel: (typeof levels)[number];
  logSampleRate: number;
  /** Wait after SIGTERM before closing the listener, for setups without a preStop sleep. */
  shutdownDelayMs: number;
  /** In-flight requests get this long to finish before connections are cut. */
  shutdownTimeoutMs: number;
}

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

const envSchema = z.object({
  HOST: z.string().default("0.0.0.0"),
  PORT: int(0, 8080),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "REDIS_URL must start with redis:// or rediss://"),
  ADSERVER_DEADLINE_MS: int(2, 30),
  ADSERVER_RESERVE_MS: int(0, 3),
  ADSERVER_REDIS_TIMEOUT_MS: int(1, 20),
  ADSERVER_REDIS_CONNECT_TIMEOUT_MS: int(1, 1000),
  ADSERVER_COUNTER_TIMEOUT_MS: int(1, 2000),
  ADSERVER_CATALOG_POLL_MS: int(10, 1000),
  ADSERVER_PACING_REFRESH_MS: int(10, 1000),
  ADSERVER_COUNTER_FLUSH_MS: int(1, 100),
  ADSERVER_COUNTER_MAX_PENDING: int(1, 1_000_000),
  ADSERVER_SLOT_CACHE_ENTRIES: int(1, 10_000),
  ADSERVER_USER_CACHE_ENTRIES: int(1, 200_000),
  ADSERVER_USER_FRESH_MS: int(0, 5000),
  ADSERVER_USER_MAX_STALE_MS: int(0, 3_600_000),
  ADSERVER_FALLBACK_FILE: z.string().min(1).optional(),
  ADSERVER_BEACON_SECRET: z.string().min(16, "ADSERVER_BEACON_SECRET must be at least 16 characters"),
  ADSERVER_BEACON_BASE_URL: z.string().default(""),
  ADSERVER_BEACON_MAX_AGE_SECONDS: int(60, 86_400),
  ADSERVER_LOG_LEVEL: z.enum(levels).default("info"),
  ADSERVER_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.001),
  ADSERVER_SHUTDOWN_DELAY_MS: int(0, 0),
  ADSERVER_SHUTDOWN_TIMEOUT_MS: int(0, 10_000),
});

export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

export function loadConfig(env: NodeJS.ProcessEnv): AdServerConfig {
  const known = new Set(Object.keys(envSchema.shape));
  const unknown = Object.keys(env).filter((name) => name.startsWith("ADSERVER_") && !known.has(name));
  if (unknown.length > 0) throw new ConfigurationError(`unknown settings: ${unknown.join(", ")}`);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError(`invalid configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  if (e.ADSERVER_RESERVE_MS >= e.ADSERVER_DEADLINE_MS)
    throw new ConfigurationError("ADSERVER_RESERVE_MS must be below ADSERVER_DEADLINE_MS");
  return {
    host: e.HOST,
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    deadlineMs: e.ADSERVER_DEADLINE_MS,
    reserveMs: e.ADSERVER_RESERVE_MS,
    redisCommandTimeoutMs: e.ADSERVER_REDIS_TIMEOUT_MS,
    redisConnectTimeoutMs: e.ADSERVER_REDIS_CONNECT_TIMEOUT_MS,
    counterTimeoutMs: e.ADSERVER_COUNTER_TIMEOUT_MS,
    catalogPollMs: e.ADSERVER_CATALOG_POLL_MS,
    pacingRefreshMs: e.ADSERVER_PACING_REFRESH_MS,
    counterFlushMs: e.ADSERVER_COUNTER_FLUSH_MS,
    counterMaxPending: e.ADSERVER_COUNTER_MAX_PENDING,
    slotCacheEntries: e.ADSERVER_SLOT_CACHE_ENTRIES,
    userCacheEntries: e.ADSERVER_USER_CACHE_ENTRIES,
    userFreshMs: e.ADSERVER_USER_FRESH_MS,
    userMaxStaleMs: e.ADSERVER_USER_MAX_STALE_MS,
    fallback: e.ADSERVER_FALLBACK_FILE ? readFallback(e.ADSERVER_FALLBACK_FILE) : { creatives: [] },
    beaconSecret: e.ADSERVER_BEACON_SECRET,
    beaconBaseUrl: e.ADSERVER_BEACON_BASE_URL.replace(/\/$/, ""),
    beaconMaxAgeSeconds: e.ADSERVER_BEACON_MAX_AGE_SECONDS,
    logLevel: e.ADSERVER_LOG_LEVEL,
    logSampleRate: e.ADSERVER_LOG_SAMPLE_RATE,
    shutdownDelayMs: e.ADSERVER_SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: e.ADSERVER_SHUTDOWN_TIMEOUT_MS,
  };
}

function readFallback(path: string): Fallback {
  try {
    return fallbackSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (error) {
    throw new ConfigurationError(`ADSERVER_FALLBACK_FILE ${path} is not a valid fallback file`, { cause: error });
  }
}
