// Counter increments are summed in memory and written as one pipeline every flush interval, so serving an
// ad never waits on Redis for them. While Redis is down they stay pending (up to a bound) and are written
// after it returns.
import type { Redis } from "ioredis";
import type { Metrics } from "../ops/metrics.ts";
import { timed } from "../redis/connection.ts";

interface PendingKey {
  ttlSeconds: number;
  /** INCRBY amount, for plain counters. */
  count: number;
  /** HINCRBY amounts by field, for hashes. */
  fields?: Map<string, number>;
}

export interface BatcherOptions {
  flushMs: number;
  /** Increments kept while Redis is unreachable; beyond it new ones are dropped and counted. */
  maxPending: number;
}

export class CounterBatcher {
  #pending = new Map<string, PendingKey>();
  #pendingTotal = 0;
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #redis: Redis;
  readonly #metrics: Metrics;
  readonly #options: BatcherOptions;

  constructor(redis: Redis, metrics: Metrics, options: BatcherOptions) {
    this.#redis = redis;
    this.#metrics = metrics;
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.#options.flushMs);
    this.#timer.unref();
  }

  incr(key: string, ttlSeconds: number, n = 1): void {
    if (!this.#admit(n)) return;
    const entry = this.#entry(key, ttlSeconds);
    entry.count += n;
  }

  hincr(key: string, field: string, ttlSeconds: number, n = 1): void {
    if (!this.#admit(n)) return;
    const entry = this.#entry(key, ttlSeconds);
    entry.fields ??= new Map();
    entry.fields.set(field, (entry.fields.get(field) ?? 0) + n);
  }

  /** Increments not yet written, which a fresh read from Redis does not include. */
  pendingCount(key: string): number {
    return this.#pending.get(key)?.count ?? 0;
  }

  pendingFields(key: string): ReadonlyMap<string, number> | undefined {
    return this.#pending.get(key)?.fields;
  }

  /** Writes everything pending; one flush at a time, and the promise settles when it is done. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#pending.size === 0) return Promise.resolve();
    this.#flushing = this.#write().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  get pendingTotal(): number {
    return this.#pendingTotal;
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#pendingTotal = 0;
    const pipeline = this.#redis.pipeline();
    // Which increment each pipeline slot holds, so that only the ones that failed are kept for the next flush.
    const slots: Array<{ key: string; ttlSeconds: number; n: number; field?: string } | undefined> = [];
    for (const [key, entry] of batch) {
      if (entry.count) {
        pipeline.incrby(key, entry.count);
        slots.push({ key, ttlSeconds: entry.ttlSeconds, n: entry.count });
      }
      for (const [field, n] of entry.fields ?? []) {
        pipeline.hincrby(key, field, n);
        slots.push({ key, ttlSeconds: entry.ttlSeconds, n, field });
      }
      // NX sets a TTL on a new key; GT only lengthens it, so a short cap window never cuts a long one.
      pipeline.expire(key, entry.ttlSeconds, "NX");
      pipeline.expire(key, entry.ttlSeconds, "GT");
      slots.push(undefined, undefined);
    }
    let results: Array<[Error | null, unknown]> | null = null;
    try {
      results = await timed(this.#metrics, "counters_flush", () => pipeline.exec());
    } catch {
      // Not sent at all (Redis down): everything stays pending.
    }
    let flushed = 0;
    slots.forEach((slot, index) => {
      if (!slot) return;
      if (results?.[index]?.[0] === null) {
        flushed += slot.n;
        return;
      }
      // A timed-out command may still have applied; resending it may count it twice, the lesser error.
      if (slot.field === undefined) this.incr(slot.key, slot.ttlSeconds, slot.n);
      else this.hincr(slot.key, slot.field, slot.ttlSeconds, slot.n);
    });
    this.#metrics.countersFlushed(flushed);
  }

  #admit(n: number): boolean {
    if (this.#pendingTotal + n > this.#options.maxPending) {
      this.#metrics.countersDropped(n);
      return false;
    }
    this.#pendingTotal += n;
    return true;
  }

  #entry(key: string, ttlSeconds: number): PendingKey {
    let entry = this.#pending.get(key);
    if (!entry) {
      entry = { ttlSeconds, count: 0 };
      this.#pending.set(key, entry);
    }
    entry.ttlSeconds = Math.max(entry.ttlSeconds, ttlSeconds);
    return entry;
  }
}
