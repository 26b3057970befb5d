// Prometheus metrics. Names carry their unit; label values are small closed sets.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CacheResult } from "../cache/read-through.ts";
import { BucketHistogram } from "./bucket-histogram.ts";

export const outcomes = ["served", "fallback", "no_fill", "bad_request", "deadline"] as const;
export type Outcome = (typeof outcomes)[number];
const cacheNames = ["slot", "user"] as const;
const cacheResults = ["hit", "stale", "miss"] as const satisfies readonly CacheResult[];
export type CacheName = (typeof cacheNames)[number];

const latencyBuckets = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "adserver_" });

  // The two metrics every ad request touches are plain numbers, turned into Prometheus values on scrape.
  const requestDuration = new BucketHistogram({
    name: "adserver_http_request_duration_seconds",
    help: "Time from request to response, by route and outcome",
    buckets: latencyBuckets,
    series: new Map(outcomes.map((outcome) => [outcome, { route: "ad", outcome }])),
  });
  const lookupCounts: Record<CacheName, Record<CacheResult, number>> = {
    slot: { hit: 0, stale: 0, miss: 0 },
    user: { hit: 0, stale: 0, miss: 0 },
  };
  new Counter({
    name: "adserver_cache_lookups_total",
    help: "Local cache lookups: hit (fresh), stale (served, refreshed in the background) or miss (loaded from Redis)",
    labelNames: ["cache", "result"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const cache of cacheNames)
        for (const result of cacheResults) {
          const n = lookupCounts[cache][result];
          if (n > 0) this.inc({ cache, result }, n);
        }
    },
  });
  const hitRatio = new Gauge({
    name: "adserver_cache_hit_ratio",
    help: "Share of lookups answered from the local cache (hit or stale) since start",
    labelNames: ["cache"] as const,
    registers: [registry],
    collect() {
      for (const cache of cacheNames) {
        const { hit, stale, miss } = lookupCounts[cache];
        const total = hit + stale + miss;
        if (total > 0) this.set({ cache }, (hit + stale) / total);
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

  // Children are resolved once: label lookups on every call cost more than the observation.
  const redisDurationByOp = new Map<string, Histogram.Internal<string>>();

  return {
    registry,
    hitRatio,
    /** Everything /metrics shows: the registry's metrics and the request histogram. */
    async text(): Promise<string> {
      return `${await registry.metrics()}\n${requestDuration.text()}`;
    },
    observeAd(outcome: Outcome, seconds: number) {
      requestDuration.record(outcome, seconds);
    },
    cacheLookup(cache: CacheName, result: CacheResult) {
      lookupCounts[cache][result]++;
    },
    redisCall(op: string, seconds: number) {
      let child = redisDurationByOp.get(op);
      if (!child) {
        child = redisDuration.labels(op);
        redisDurationByOp.set(op, child);
      }
      child.observe(seconds);
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
