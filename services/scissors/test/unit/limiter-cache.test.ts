import { describe, expect, it } from "vitest";
import { deadline } from "../../src/core/deadline.ts";
import { ScissorsError } from "../../src/core/errors.ts";
import { Limiter } from "../../src/core/limiter.ts";
import { ResultCache, SingleFlight } from "../../src/core/result-cache.ts";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("Limiter", () => {
  it("runs at most `concurrency` tasks, queues up to `maxQueue`, and refuses the rest with a 503", async () => {
    const limiter = new Limiter(2, 1, 60_000);
    const gate = deferred();
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      running--;
    };
    const accepted = [limiter.run(task), limiter.run(task), limiter.run(task)];
    const refused = limiter.run(task);
    await expect(refused).rejects.toMatchObject({ status: 503 });
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(1);
    gate.resolve();
    await Promise.all(accepted);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it("gives up on a waiter after maxWaitMs or when its signal aborts", async () => {
    const limiter = new Limiter(1, 5, 20);
    const gate = deferred();
    const holder = limiter.run(() => gate.promise);
    await expect(limiter.run(async () => {})).rejects.toBeInstanceOf(ScissorsError);
    const controller = new AbortController();
    const aborted = limiter.run(async () => {}, controller.signal);
    controller.abort(new Error("client gone"));
    await expect(aborted).rejects.toThrow("client gone");
    expect(limiter.waiting).toBe(0);
    gate.resolve();
    await holder;
  });
});

describe("ResultCache", () => {
  const entry = (size: number) => ({
    body: Buffer.alloc(size),
    etag: '"x"',
    contentType: "image/jpeg",
    varyAccept: false,
  });

  it("evicts the least recently used entries past its byte budget", () => {
    const cache = new ResultCache(800);
    cache.set("a", entry(100));
    cache.set("b", entry(100));
    cache.get("a");
    for (const key of ["c", "d", "e", "f", "g", "h", "i"]) cache.set(key, entry(100));
    expect(cache.bytes).toBeLessThanOrEqual(800);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
  });

  it("skips entries too large for it", () => {
    const cache = new ResultCache(800);
    cache.set("big", entry(500));
    expect(cache.get("big")).toBeUndefined();
  });
});

describe("SingleFlight", () => {
  it("runs one task per key while it is in flight, then forgets it", async () => {
    const flights = new SingleFlight<number>();
    let calls = 0;
    const gate = deferred();
    const task = async () => {
      calls++;
      await gate.promise;
      return calls;
    };
    const runs = Array.from({ length: 5 }, () => flights.run("k", task));
    expect(runs.filter((r) => r.shared)).toHaveLength(4);
    gate.resolve();
    expect(await Promise.all(runs.map((r) => r.promise))).toEqual([1, 1, 1, 1, 1]);
    expect(flights.size).toBe(0);
    expect(await flights.run("k", async () => 7).promise).toBe(7);
  });
});

describe("deadline", () => {
  it("aborts with its reason when the time runs out", async () => {
    const limit = deadline(5, () => new Error("too slow"));
    await new Promise((resolve) => limit.signal.addEventListener("abort", resolve));
    expect(limit.expired).toBe(true);
    expect((limit.signal.reason as Error).message).toBe("too slow");
  });
  it("follows the outer signal without expiring, and never fires once cleared", async () => {
    const outer = new AbortController();
    const followed = deadline(60_000, () => new Error("too slow"), outer.signal);
    outer.abort(new Error("client went away"));
    expect(followed.signal.aborted).toBe(true);
    expect(followed.expired).toBe(false);
    expect((followed.signal.reason as Error).message).toBe("client went away");
    followed.clear();
    const cleared = deadline(5, () => new Error("too slow"));
    cleared.clear();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cleared.signal.aborted).toBe(false);
  });
});
