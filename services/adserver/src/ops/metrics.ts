// Prometheus metrics. Names carry their unit; label values are small closed sets.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CacheResult } from "../cache/read-through.ts";

export const outcomes = ["served", "fallback", "no_fill", "bad_request", "deadline"] as const;
export type Outcome = (typeof outcomes)[number];
export type CacheName = "slot" | "user";

const latencyBuckets = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "adserver_" });

  const requestDuration = new Histogram({
    name: "adserver_http_request_duration_seconds",
    help: "Time from request to response, by route and outcome",
    labelNames: ["route", "outcome"] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: "adserver_cache_lookups_total",
    help: "Local cache lookups: hit (fresh), stale (served, refreshed in the background) or miss (loaded from Redis)",
    labelNames: ["cache", "result"] as const,
    registers: [registry],
  });
  const hitRatio = new Gauge({
    name: "adserver_cache_hit_ratio",
    help: "Share of lookups answered from the local cache (hit or stale) since start",
    labelNames: ["cache"] as const,
    registers: [registry],
    async collect() {
      for (const cache of ["slot", "user"] as const) {
        const values = (await cacheLookups.get()).values.filter((v) => v.labels.cache === cache);
        const total = values.reduce((sum, v) => sum + v.value, 0);
        const local = values.filter((v) => v.labels.result !== "miss").reduce((sum, v) => sum + v.value, 0);
        if (total > 0) this.set({ cache }, local / total);
      }
    },
  });
  const redisDuration = new Histogram({
    name: "adserver_redis_command_duration_seconds",
    help: "Redis command or pipeline latency seen by the server, by operation",
    labelNames: ["op"] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: "adserver_redis_errors_total",
    help: "Redis commands that failed or timed out, by operation",
    labelNames: ["op"] as const,
    registers: [registry],
  });
  const redisConnected = new Gauge({
    name: "adserver_redis_connected",
    help: "1 while the Redis connection is ready, by connection (catalog, counters)",
    labelNames: ["connection"] as const,
    registers: [registry],
  });
  const counterIncrements = new Counter({
    name: "adserver_counter_increments_total",
    help: "Counter increments by fate: flushed to Redis, or dropped because the pending buffer was full",
    labelNames: ["fate"] as const,
    registers: [registry],
  });
  const beacons = new Counter({
    name: "adserver_beacons_total",
    help: "Beacons received, by event and validity",
    labelNames: ["event", "result"] as const,
    registers: [registry],
  });

  // Children are resolved once: label lookups on every request cost more than the observation.
  const byOutcome = new Map(outcomes.map((o) => [o, requestDuration.labels("ad", o)] as const));
  const lookups = {} as Record<CacheName, Record<CacheResult, Counter.Internal>>;
  for (const cache of ["slot", "user"] as const)
    lookups[cache] = {
      hit: cacheLookups.labels(cache, "hit"),
      stale: cacheLookups.labels(cache, "stale"),
      miss: cacheLookups.labels(cache, "miss"),
    };

  return {
    registry,
    hitRatio,
    observeAd(outcome: Outcome, seconds: number) {
      byOutcome.get(outcome)?.observe(seconds);
    },
    observeRoute(route: string, outcome: string, seconds: number) {
      requestDuration.labels(route, outcome).observe(seconds);
    },
    cacheLookup(cache: CacheName, result: CacheResult) {
      lookups[cache][result].inc();
    },
    redisCall(op: string, seconds: number) {
      redisDuration.labels(op).observe(seconds);
    },
    redisError(op: string) {
      redisErrors.labels(op).inc();
    },
    redisConnected(connection: string, up: boolean) {
      redisConnected.set({ connection }, up ? 1 : 0);
    },
    countersFlushed(n: number) {
      counterIncrements.labels("flushed").inc(n);
    },
    countersDropped(n: number) {
      counterIncrements.labels("dropped").inc(n);
    },
    beacon(event: string, result: "ok" | "invalid") {
      beacons.labels(event, result).inc();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
