/** One finished output, as sent to the client. */
export interface CachedResult {
  body: Buffer;
  etag: string;
  contentType: string;
  varyAccept: boolean;
}

/** A byte-bounded LRU of outputs. Map keeps insertion order, so the first key is the least recently used. */
export class ResultCache {
  readonly maxBytes: number;
  #bytes = 0;
  #entries = new Map<string, CachedResult>();

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): CachedResult | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedResult): void {
    // Anything over an eighth of the cache would evict too much for one entry's sake.
    if (entry.body.length > this.maxBytes / 8) return;
    this.delete(key);
    this.#entries.set(key, entry);
    this.#bytes += entry.body.length;
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldKey);
      this.#bytes -= old.body.length;
    }
  }

  delete(key: string): void {
    const old = this.#entries.get(key);
    if (!old) return;
    this.#entries.delete(key);
    this.#bytes -= old.body.length;
  }
}

/** Runs one task per key at a time; callers that arrive while it runs share its promise. */
export class SingleFlight<T> {
  #flights = new Map<string, Promise<T>>();

  get size(): number {
    return this.#flights.size;
  }

  run(key: string, task: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const existing = this.#flights.get(key);
    if (existing) return { promise: existing, shared: true };
    const promise = task().finally(() => this.#flights.delete(key));
    this.#flights.set(key, promise);
    return { promise, shared: false };
  }
}
