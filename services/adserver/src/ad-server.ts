// Wires the pieces into a running server. Tests start it in-process with their own clock and Redis;
// server.ts starts it from the environment.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CacheResult, ReadThroughCache } from "./cache/read-through.ts";
import type { AdServerConfig } from "./config.ts";
import { CounterBatcher } from "./counters/batcher.ts";
import { PacingCounters } from "./counters/pacing.ts";
import { type CapCounts, UserCaps } from "./counters/user-caps.ts";
import type { SlotDocument } from "./domain/catalog.ts";
import { adHandler } from "./http/ad-handler.ts";
import { createApp } from "./http/app.ts";
import { beaconHandler } from "./http/beacon-handler.ts";
import { createLogger, type Logger } from "./ops/logger.ts";
import { createMetrics, type Metrics } from "./ops/metrics.ts";
import { CatalogStore } from "./redis/catalog-store.ts";
import { connectRedis } from "./redis/connection.ts";
import { AdService } from "./serving/ad-service.ts";
import { Catalog } from "./serving/catalog.ts";

export interface Runtime {
  now?: () => number;
  random?: () => number;
  writeLog?: (line: string) => void;
}

export interface RunningAdServer {
  url: string;
  server: Server;
  metrics: Metrics;
  log: Logger;
  catalog: Catalog;
  batcher: CounterBatcher;
  /** Resolves once the catalog and pacing counters have been read: the point /ping turns 200. */
  ready: Promise<void>;
  /** The SIGTERM path: readiness fails at once, then the listener closes and counters are flushed. */
  shutdown(): Promise<void>;
}

export async function startAdServer(config: AdServerConfig, runtime: Runtime = {}): Promise<RunningAdServer> {
  const now = runtime.now ?? Date.now;
  const random = runtime.random ?? Math.random;
  const log = createLogger({ level: config.logLevel, sampleRate: config.logSampleRate, write: runtime.writeLog });
  const metrics = createMetrics();
  // Catalog reads fail fast. Counter writes (and the counter reads ordered with them) wait longer, since a
  // write that times out but still applies is sent again and counted twice.
  const connect = (name: string, commandTimeoutMs: number) =>
    connectRedis(
      { name, url: config.redisUrl, commandTimeoutMs, connectTimeoutMs: config.redisConnectTimeoutMs },
      log,
      metrics,
    );
  const redis = connect("catalog", config.redisCommandTimeoutMs);
  const counterRedis = connect("counters", config.counterTimeoutMs);
  const lookups = (cache: "slot" | "user") => (result: CacheResult) => metrics.cacheLookup(cache, result);
  const refreshFailed = (error: unknown) => log.sampled("background refresh failed", { error });

  const batcher = new CounterBatcher(counterRedis, metrics, {
    flushMs: config.counterFlushMs,
    maxPending: config.counterMaxPending,
  });
  const slotCache = new ReadThroughCache<SlotDocument | null>({
    maxEntries: config.slotCacheEntries,
    freshMs: Number.POSITIVE_INFINITY,
    maxStaleMs: Number.POSITIVE_INFINITY,
    onLookup: lookups("slot"),
  });
  const userCache = new ReadThroughCache<CapCounts>({
    maxEntries: config.userCacheEntries,
    freshMs: config.userFreshMs,
    maxStaleMs: config.userMaxStaleMs,
    now,
    onLookup: lookups("user"),
    onRefreshError: refreshFailed,
    revalidate: (key) => caps.revalidate(key),
  });
  const catalog = new Catalog(new CatalogStore(redis, metrics), slotCache, log);
  const pacing = new PacingCounters(batcher, metrics, now);
  const caps = new UserCaps(userCache, batcher, metrics, refreshFailed);
  const service = new AdService({ catalog, caps, pacing, now, random });

  let draining = false;
  const app = createApp({
    ad: adHandler({
      service,
      fallback: config.fallback,
      metrics,
      log,
      deadlineMs: config.deadlineMs,
      reserveMs: config.reserveMs,
      beaconSecret: config.beaconSecret,
      beaconBaseUrl: config.beaconBaseUrl,
      now,
    }),
    beacon: beaconHandler({
      batcher,
      metrics,
      secret: config.beaconSecret,
      maxAgeSeconds: config.beaconMaxAgeSeconds,
      now,
    }),
    metrics,
    log,
    ready: () => !draining && catalog.version !== undefined && pacing.loaded,
    draining: () => draining,
  });

  const stopCatalog = every(config.catalogPollMs, () => catalog.poll(), refreshFailed);
  const stopPacing = every(config.pacingRefreshMs, () => pacing.refresh(catalog.campaignIds), refreshFailed);
  batcher.start();
  const ready = (async () => {
    while (catalog.version === undefined || !pacing.loaded) {
      await catalog.poll().catch(() => {});
      if (catalog.version !== undefined) await pacing.refresh(catalog.campaignIds).catch(() => {});
      if (catalog.version === undefined || !pacing.loaded) await sleep(100);
      if (draining) return;
    }
  })();

  const server = createServer({ keepAlive: true }, app);
  server.listen(config.port, config.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  log.info("listening", { port, deadlineMs: config.deadlineMs });

  async function shutdown(): Promise<void> {
    if (draining) return;
    draining = true;
    log.info("shutting down: readiness now fails", { delayMs: config.shutdownDelayMs });
    await sleep(config.shutdownDelayMs);
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    await closed;
    clearTimeout(cut);
    stopCatalog();
    stopPacing();
    await batcher.stop();
    for (const connection of [redis, counterRedis]) await connection.quit().catch(() => connection.disconnect());
    log.info("stopped", { unflushedIncrements: batcher.pendingTotal });
  }

  return { url: `http://${host}:${port}`, server, metrics, log, catalog, batcher, ready, shutdown };
}

/** Runs `task` every `ms`, never overlapping itself; returns a stop function. */
function every(ms: number, task: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    task()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, ms).unref();
      });
  };
  timer = setTimeout(tick, ms).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
