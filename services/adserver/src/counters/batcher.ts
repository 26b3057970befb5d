// Counter increments are summed in memory and written as one pipeline every flush interval, so serving an
// ad never waits on Redis for them. While Redis is down they stay pending (up to a bound) and are written
// after it returns.
//
// Reads of counters (a user's caps, the fleet's pacing totals) go through the same connection, and
// flushes never overlap. So a read sees every increment this pod has flushed, and "read value + what is
// pending when the answer arrives" is exact for this pod, with no double counting.
//
// Increments are written only at the interval (or at stop), never by a read: a read that cannot wait (a
// request is waiting on it) goes out at the end of its tick on its own, and a background refresh waits for
// the next interval's flush. A read used to take every pending increment with it, which at 2,000
// background refreshes a second turned the 100 ms batch into one script call every 3 ms.
import type { ChainableCommander, Redis } from "ioredis";
import type { Metrics } from "../ops/metrics.ts";
import { timed } from "../redis/connection.ts";

// Applies a whole batch in one call, so a flush costs one command (one timer, one reply) instead of one per
// key. ARGV holds, per key in KEYS: the TTL, the number of hash fields n, then either the INCRBY amount
// (n = 0, a plain counter: INCRBY + EXPIRE) or n field/amount pairs (a hash: HINCRBY each field, and
// lengthen, never shorten, the TTL, since a user's hash holds fields of cap windows of different lengths).
const FLUSH_COUNTERS = `
local a = 1
for k = 1, #KEYS do
  local key = KEYS[k]
  local ttl = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  a = a + 2
  if n == 0 then
    redis.call('INCRBY', key, ARGV[a])
    redis.call('EXPIRE', key, ttl)
    a = a + 1
  else
    for i = 1, n do
      redis.call('HINCRBY', key, ARGV[a], ARGV[a + 1])
      a = a + 2
    end
    if redis.call('TTL', key) < ttl then redis.call('EXPIRE', key, ttl) end
  end
end
return #KEYS`;

/** Every hash in KEYS, as HGETALL answers each: one command for a whole batch of users' refreshes. */
const READ_HASHES = `
local out = {}
for k = 1, #KEYS do out[k] = redis.call('HGETALL', KEYS[k]) end
return out`;

/** Keys per script call: bounds how long one call holds Redis (a backlog after an outage is split up). */
export const KEYS_PER_CALL = 1000;

type CounterPipeline = ChainableCommander & {
  flushCounters(numberOfKeys: number, ...keysAndArgs: Array<string | number>): CounterPipeline;
  readHashes(numberOfKeys: number, ...keys: string[]): CounterPipeline;
};

interface PendingRead {
  add(pipeline: ChainableCommander): void;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

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
  #next: Promise<void> | undefined;
  #nextWithIncrements = false;
  #reads: PendingRead[] = [];
  #readScheduled = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #redis: Redis;
  readonly #metrics: Metrics;
  readonly #options: BatcherOptions;

  constructor(redis: Redis, metrics: Metrics, options: BatcherOptions) {
    redis.defineCommand("flushCounters", { lua: FLUSH_COUNTERS });
    redis.defineCommand("readHashes", { lua: READ_HASHES });
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

  /**
   * Runs one read command (added by `add`). `soon`: at the end of this tick, sharing one pipeline with the
   * other reads of the tick; otherwise with the next interval's flush (a background refresh).
   */
  read<T>(add: (pipeline: ChainableCommander) => void, soon = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#reads.push({ add, resolve: resolve as (result: unknown) => void, reject });
      if (soon) this.hurry();
    });
  }

  /**
   * Reads many hashes in one script call with the next interval's flush (a background refresh). `pick`
   * chooses the keys (at most KEYS_PER_CALL) when that flush is built; each hash comes as HGETALL's
   * field, value, field, value... list.
   */
  readHashes(pick: () => string[]): Promise<{ keys: string[]; hashes: string[][] }> {
    let keys: string[] = [];
    const add = (pipeline: ChainableCommander) => {
      keys = pick();
      (pipeline as CounterPipeline).readHashes(keys.length, ...keys);
    };
    return this.read<string[][]>(add, false).then((hashes) => ({ keys, hashes }));
  }

  /** Sends the queued reads at the end of this tick instead of at the next interval. */
  hurry(): void {
    if (this.#readScheduled || this.#reads.length === 0) return;
    this.#readScheduled = true;
    setImmediate(() => {
      this.#readScheduled = false;
      void this.#run(false);
    });
  }

  /** Writes everything pending; flushes never overlap, and the promise settles when this one is done. */
  flush(): Promise<void> {
    return this.#run(true);
  }

  /** One flush: the queued reads, after every pending increment when `withIncrements`. */
  #run(withIncrements: boolean): Promise<void> {
    if (this.#flushing) {
      this.#nextWithIncrements ||= withIncrements;
      this.#next ??= this.#flushing.then(() => {
        const increments = this.#nextWithIncrements;
        this.#next = undefined;
        this.#nextWithIncrements = false;
        return this.#run(increments);
      });
      return this.#next;
    }
    if ((!withIncrements || this.#pending.size === 0) && this.#reads.length === 0) return Promise.resolve();
    this.#flushing = this.#write(withIncrements).finally(() => {
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

  async #write(withIncrements: boolean): Promise<void> {
    const batch = withIncrements ? this.#pending : new Map<string, PendingKey>();
    const reads = this.#reads;
    if (withIncrements) {
      this.#pending = new Map();
      this.#pendingTotal = 0;
    }
    this.#reads = [];
    const pipeline = this.#redis.pipeline() as CounterPipeline;
    // One script call per chunk of keys; a chunk applies as a whole or, on failure, stays pending as a whole.
    const chunks: Array<Array<[string, PendingKey]>> = [];
    let chunk: Array<[string, PendingKey]> = [];
    for (const item of batch) {
      chunk.push(item);
      if (chunk.length === KEYS_PER_CALL) {
        chunks.push(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) chunks.push(chunk);
    for (const entries of chunks) {
      const keys: string[] = [];
      const args: Array<string | number> = [];
      for (const [key, entry] of entries) {
        keys.push(key);
        if (entry.fields) {
          args.push(entry.ttlSeconds, entry.fields.size);
          for (const [field, n] of entry.fields) args.push(field, n);
        } else args.push(entry.ttlSeconds, 0, entry.count);
      }
      pipeline.flushCounters(keys.length, ...keys, ...args);
    }
    for (const read of reads) read.add(pipeline);
    let results: Array<[Error | null, unknown]> | null = null;
    let failure: unknown;
    try {
      results = await timed(this.#metrics, withIncrements ? "counters_flush" : "counters_read", () => pipeline.exec());
    } catch (error) {
      // Not sent at all (Redis down): everything stays pending.
      failure = error;
    }
    let flushed = 0;
    chunks.forEach((entries, index) => {
      const ok = results?.[index]?.[0] === null;
      for (const [key, entry] of entries) {
        if (ok) {
          flushed += entry.fields ? sum(entry.fields.values()) : entry.count;
          continue;
        }
        // A timed-out call may still have applied; resending it may count it twice, the lesser error.
        if (entry.fields) for (const [field, count] of entry.fields) this.hincr(key, field, entry.ttlSeconds, count);
        else this.incr(key, entry.ttlSeconds, entry.count);
      }
    });
    const index = chunks.length;
    this.#metrics.countersFlushed(flushed);
    // The reads' answers are handed out last, when "pending" already holds whatever failed to flush.
    reads.forEach((read, i) => {
      const [error, result] = results?.[index + i] ?? [failure ?? new Error("no reply"), undefined];
      if (error) read.reject(error);
      else read.resolve(result);
    });
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

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
