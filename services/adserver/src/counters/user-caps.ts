// A user's frequency-cap counters, read through the local cache and incremented locally at once, then in
// Redis by the batcher. A miss is one HGETALL, shared by concurrent requests. Stale users are re-read in bulk
// (one script call per counter flush for all of them) and their counts changed in place: at 2,000 refreshes
// a second, one command, promise and new Map per user cost more than the requests they served.
import type { ReadThroughCache } from "../cache/read-through.ts";
import type { FrequencyCap } from "../domain/catalog.ts";
import { capFieldTtlSeconds } from "../domain/frequency.ts";
import type { Metrics } from "../ops/metrics.ts";
import { timed } from "../redis/connection.ts";
import { keys } from "../redis/keys.ts";
import { type CounterBatcher, KEYS_PER_CALL } from "./batcher.ts";

export type CapCounts = Map<string, number>;

export class UserCaps {
  readonly #cache: ReadThroughCache<CapCounts>;
  readonly #batcher: CounterBatcher;
  readonly #metrics: Metrics;
  readonly #onRefreshError: (error: unknown) => void;
  #lastUid = "";
  #lastKey = keys.userCaps("");
  /** Stale users' keys waiting for the next bulk re-read. */
  readonly #stale = new Set<string>();

  /** `cache` must hand its stale keys to `revalidate`. */
  constructor(
    cache: ReadThroughCache<CapCounts>,
    batcher: CounterBatcher,
    metrics: Metrics,
    onRefreshError: (error: unknown) => void = () => {},
  ) {
    this.#cache = cache;
    this.#batcher = batcher;
    this.#metrics = metrics;
    this.#onRefreshError = onRefreshError;
  }

  /** Queues a stale user for the next bulk re-read (once, however often it is looked up meanwhile). */
  revalidate(key: string): void {
    if (this.#stale.has(key)) return;
    this.#stale.add(key);
    if (this.#stale.size === 1) this.#readStale();
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

  /** A miss: a request waits on it (stale users are re-read in bulk, see revalidate). */
  readonly #load = (key: string) => this.#read(key);

  #readStale(): void {
    const pick = () => {
      const batch = [...this.#stale].slice(0, KEYS_PER_CALL);
      for (const key of batch) this.#stale.delete(key);
      // More than one call's worth waits for the flush after.
      if (this.#stale.size > 0) this.#readStale();
      return batch;
    };
    timed(this.#metrics, "user_caps_refresh", () => this.#batcher.readHashes(pick)).then(({ keys, hashes }) => {
      // The read came after every flush of ours; what is pending now is exactly what it cannot include.
      keys.forEach((key, i) => {
        const counts = this.#cache.renew(key);
        if (!counts) return;
        const stored = hashes[i] ?? [];
        counts.clear();
        for (let f = 0; f < stored.length; f += 2) counts.set(stored[f] as string, Number(stored[f + 1]));
        for (const [field, n] of this.#batcher.pendingFields(key) ?? [])
          counts.set(field, (counts.get(field) ?? 0) + n);
      });
    }, this.#onRefreshError);
  }

  async #read(key: string): Promise<CapCounts> {
    const stored = await timed(this.#metrics, "user_caps", () =>
      this.#batcher.read<Record<string, string>>((pipeline) => pipeline.hgetall(key)),
    );
    // The read follows every flush of ours; what is pending now is exactly what it cannot include.
    const counts: CapCounts = new Map();
    for (const [field, value] of Object.entries(stored)) counts.set(field, Number(value));
    for (const [field, n] of this.#batcher.pendingFields(key) ?? []) counts.set(field, (counts.get(field) ?? 0) + n);
    return counts;
  }
}
