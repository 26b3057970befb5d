// A user's frequency-cap counters, read through the local cache (one HGETALL per user per freshness
// period, shared by concurrent requests) and incremented locally at once, then in Redis by the batcher.
import type { ReadThroughCache } from "../cache/read-through.ts";
import type { FrequencyCap } from "../domain/catalog.ts";
import { capFieldTtlSeconds } from "../domain/frequency.ts";
import type { Metrics } from "../ops/metrics.ts";
import { timed } from "../redis/connection.ts";
import { keys } from "../redis/keys.ts";
import type { CounterBatcher } from "./batcher.ts";

export type CapCounts = Map<string, number>;

export class UserCaps {
  readonly #cache: ReadThroughCache<CapCounts>;
  readonly #batcher: CounterBatcher;
  readonly #metrics: Metrics;
  #lastUid = "";
  #lastKey = keys.userCaps("");

  constructor(cache: ReadThroughCache<CapCounts>, batcher: CounterBatcher, metrics: Metrics) {
    this.#cache = cache;
    this.#batcher = batcher;
    this.#metrics = metrics;
  }

  counts(uid: string): Promise<CapCounts> {
    const counts = this.#cache.get(this.#key(uid), this.#load);
    // A request now waits on the read, even one that joined a background refresh still queued.
    this.#batcher.hurry();
    return counts;
  }

  /**
   * The user's counters if they are in the local cache; undefined when they would take a Redis read. Stale
   * counters are refreshed with the next counter flush, not at once: nobody waits on that read.
   */
  cachedCounts(uid: string, now: number): CapCounts | undefined {
    return this.#cache.cached(this.#key(uid), this.#load, now);
  }

  /** Counts a serve: in `counts` (the user's cached counters) at once, in Redis with the next flush. */
  served(uid: string, counts: CapCounts, field: string, cap: FrequencyCap, now: number): void {
    counts.set(field, (counts.get(field) ?? 0) + 1);
    this.#batcher.hincr(this.#key(uid), field, capFieldTtlSeconds(cap, now));
  }

  /**
   * The user's Redis key. The last one is kept: a request asks for it up to three times (cache, serve,
   * batch), and the same string each time means its hash is computed once.
   */
  #key(uid: string): string {
    if (uid !== this.#lastUid) {
      this.#lastUid = uid;
      this.#lastKey = keys.userCaps(uid);
    }
    return this.#lastKey;
  }

  readonly #load = (key: string, background: boolean) => this.#read(key, background);

  async #read(key: string, background: boolean): Promise<CapCounts> {
    // A background read's latency includes its wait for the next flush, so it is recorded apart.
    const stored = await timed(this.#metrics, background ? "user_caps_refresh" : "user_caps", () =>
      this.#batcher.read<Record<string, string>>((pipeline) => pipeline.hgetall(key), !background),
    );
    // The read follows every flush of ours; what is pending now is exactly what it cannot include.
    const counts: CapCounts = new Map();
    for (const [field, value] of Object.entries(stored)) counts.set(field, Number(value));
    for (const [field, n] of this.#batcher.pendingFields(key) ?? []) counts.set(field, (counts.get(field) ?? 0) + n);
    return counts;
  }
}
