// The one Redis connection of a pod. Commands fail fast while it is down (no offline queue) so requests
// fall back to the local cache at once, and the client reconnects by itself with capped backoff.
import { Redis } from "ioredis";
import type { Logger } from "../ops/logger.ts";
import type { Metrics } from "../ops/metrics.ts";

export interface RedisSettings {
  /** Names the connection in logs and metrics. */
  name: string;
  url: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

export function connectRedis(settings: RedisSettings, log: Logger, metrics: Metrics): Redis {
  const redis = new Redis(settings.url, {
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: settings.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1000),
  });
  let down = false;
  redis.on("ready", () => {
    metrics.redisConnected(settings.name, true);
    if (down) log.info("redis reconnected", { connection: settings.name });
    down = false;
  });
  redis.on("close", () => {
    metrics.redisConnected(settings.name, false);
    if (!down) log.warn("redis connection lost", { connection: settings.name });
    down = true;
  });
  // ioredis emits an error per failed reconnect attempt; the close above is logged once per outage.
  redis.on("error", (error: Error) => log.debug("redis error", { connection: settings.name, error }));
  return redis;
}

/** Runs one Redis operation, recording its latency or its failure. */
export async function timed<T>(metrics: Metrics, op: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    const result = await run();
    metrics.redisCall(op, (performance.now() - start) / 1000);
    return result;
  } catch (error) {
    metrics.redisError(op);
    throw error;
  }
}
