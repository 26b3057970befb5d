/** Concurrent calls for one key share one in-flight load: N misses cost one Redis call. */
export class Singleflight<V> {
  readonly #inFlight = new Map<string, Promise<V>>();

  do(key: string, load: () => Promise<V>): Promise<V> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const promise = load().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.#inFlight.size;
  }
}
