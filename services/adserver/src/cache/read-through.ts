// An LRU with two ages: fresh entries are served as they are; stale ones are served at once while one
// background load refreshes them (stale-while-revalidate), which is also what keeps us serving when Redis is down.
import { LRUCache } from "lru-cache";
import { Singleflight } from "./singleflight.ts";

export type CacheResult = "hit" | "stale" | "miss";

export interface ReadThroughOptions {
  maxEntries: number;
  /** Age under which an entry is served without a refresh. Infinity for immutable entries. */
  freshMs: number;
  /** Age after which an entry is dropped, even when Redis cannot refresh it. */
  maxStaleMs: number;
  now?: () => number;
  onLookup?: (result: CacheResult) => void;
  onRefreshError?: (error: unknown) => void;
  /**
   * Refreshes stale entries in bulk, in place of one background load each: called with a stale entry's key
   * on every lookup that finds it stale (dedupe is the caller's), which then renews the entry.
   */
  revalidate?: (key: string) => void;
}

/**
 * Reads a key's value from the store. `background`: nobody waits on it (stale-while-revalidate), so the
 * loader may take its time. Given the key, one loader serves every key, with no closure per lookup.
 */
export type Loader<V> = (key: string, background: boolean) => Promise<V>;

interface Entry<V> {
  value: V;
  loadedAt: number;
}

export class ReadThroughCache<V extends object | null> {
  readonly #entries: LRUCache<string, Entry<V>>;
  readonly #flights = new Singleflight<V>();
  readonly #options: ReadThroughOptions;
  readonly #now: () => number;

  constructor(options: ReadThroughOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    // Ages are checked here rather than with the LRU's own TTL, which has a coarser clock.
    this.#entries = new LRUCache<string, Entry<V>>({ max: options.maxEntries });
  }

  /** The cached value, if any, without loading or counting. */
  peek(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /**
   * The cached value without waiting: fresh, or stale and then refreshed in the background. Undefined on a
   * miss, which is not counted here: the caller either loads (get) or gives up.
   */
  cached(key: string, load: Loader<V>, now?: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // An immutable entry (a slot document) has no age to check.
    if (this.#options.maxStaleMs === Number.POSITIVE_INFINITY && this.#options.freshMs === Number.POSITIVE_INFINITY) {
      this.#options.onLookup?.("hit");
      return entry.value;
    }
    const age = (now ?? this.#now()) - entry.loadedAt;
    if (age >= this.#options.maxStaleMs) return undefined;
    const fresh = age < this.#options.freshMs;
    this.#options.onLookup?.(fresh ? "hit" : "stale");
    if (fresh) return entry.value;
    if (this.#options.revalidate) this.#options.revalidate(key);
    else this.refresh(key, load, true).catch((error: unknown) => this.#options.onRefreshError?.(error));
    return entry.value;
  }

  get(key: string, load: Loader<V>): Promise<V> {
    const value = this.cached(key, load);
    if (value !== undefined) return Promise.resolve(value);
    this.#options.onLookup?.("miss");
    return this.refresh(key, load);
  }

  /** Loads through the singleflight and stores the result; concurrent callers share the one load. */
  refresh(key: string, load: Loader<V>, background = false): Promise<V> {
    return this.#flights.do(key, async () => {
      const value = await load(key, background);
      this.#entries.set(key, { value, loadedAt: this.#now() });
      return value;
    });
  }

  /** Changes a cached value in place (a local counter increment) without touching its age. */
  update(key: string, change: (value: V) => void): void {
    const entry = this.#entries.get(key, { updateAgeOnGet: false });
    if (entry) change(entry.value);
  }

  /**
   * The value of a cached entry, made fresh again: its caller has just re-read it and changes it in place (no
   * new object, so no old-generation garbage per refresh). Undefined when the entry is gone.
   */
  renew(key: string): V | undefined {
    const entry = this.#entries.get(key, { updateAgeOnGet: false });
    if (!entry) return undefined;
    entry.loadedAt = this.#now();
    return entry.value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
