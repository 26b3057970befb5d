import { describe, expect, it } from "vitest";
import { type CacheResult, ReadThroughCache } from "../../../src/cache/read-through.ts";
import { Singleflight } from "../../../src/cache/singleflight.ts";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("Singleflight", () => {
  it("shares one load among concurrent callers and forgets it once settled", async () => {
    const flights = new Singleflight<number>();
    let loads = 0;
    const gate = deferred<number>();
    const load = () => {
      loads++;
      return gate.promise;
    };
    const results = Promise.all(Array.from({ length: 50 }, () => flights.do("k", load)));
    gate.resolve(7);
    expect(await results).toEqual(Array(50).fill(7));
    expect(loads).toBe(1);
    expect(flights.size).toBe(0);
    await flights.do("k", async () => ++loads);
    expect(loads).toBe(2);
  });

  it("gives every waiter the error, then lets the next call retry", async () => {
    const flights = new Singleflight<number>();
    const failing = Promise.all([
      flights.do("k", () => Promise.reject(new Error("down"))),
      flights.do("k", () => Promise.resolve(1)),
    ]);
    await expect(failing).rejects.toThrow("down");
    await expect(flights.do("k", () => Promise.resolve(2))).resolves.toBe(2);
  });
});

describe("ReadThroughCache", () => {
  function setup() {
    let clock = 0;
    const seen: CacheResult[] = [];
    const errors: unknown[] = [];
    const cache = new ReadThroughCache<{ v: number }>({
      maxEntries: 10,
      freshMs: 100,
      maxStaleMs: 1000,
      now: () => clock,
      onLookup: (r) => seen.push(r),
      onRefreshError: (e) => errors.push(e),
    });
    return { cache, seen, errors, advance: (ms: number) => (clock += ms) };
  }

  it("loads on a miss and serves from memory while fresh", async () => {
    const { cache, seen } = setup();
    let loads = 0;
    const load = async () => ({ v: ++loads });
    expect(await cache.get("k", load)).toEqual({ v: 1 });
    expect(await cache.get("k", load)).toEqual({ v: 1 });
    expect(seen).toEqual(["miss", "hit"]);
  });

  it("serves a stale entry at once and refreshes it in the background", async () => {
    const { cache, seen, advance } = setup();
    await cache.get("k", async () => ({ v: 1 }));
    advance(150);
    const refreshed = deferred<{ v: number }>();
    expect(await cache.get("k", () => refreshed.promise)).toEqual({ v: 1 });
    refreshed.resolve({ v: 2 });
    await refreshed.promise;
    await Promise.resolve();
    expect(await cache.get("k", async () => ({ v: 3 }))).toEqual({ v: 2 });
    expect(seen).toEqual(["miss", "stale", "hit"]);
  });

  it("keeps serving the stale entry when the refresh fails, until the stale limit", async () => {
    const { cache, errors, advance } = setup();
    await cache.get("k", async () => ({ v: 1 }));
    advance(500);
    const down = () => Promise.reject(new Error("redis down"));
    expect(await cache.get("k", down)).toEqual({ v: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    advance(600);
    await expect(cache.get("k", down)).rejects.toThrow("redis down");
  });

  it("changes a cached value in place without making it fresh", async () => {
    const { cache, seen, advance } = setup();
    await cache.get("k", async () => ({ v: 1 }));
    advance(150);
    cache.update("k", (value) => {
      value.v = 10;
    });
    expect(cache.peek("k")).toEqual({ v: 10 });
    await cache.get("k", async () => ({ v: 2 }));
    expect(seen.at(-1)).toBe("stale");
  });
});
