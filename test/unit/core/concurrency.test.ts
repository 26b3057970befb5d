import { describe, expect, it } from "vitest";
import { KeyedLimiter, mapLimit } from "../../../functions/core/concurrency.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("KeyedLimiter", () => {
  it("runs one task per key at a time, in arrival order, and keys independently", async () => {
    const limiter = new KeyedLimiter(1);
    const log: string[] = [];
    const releases: (() => void)[] = [];
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        releases.push(() => {
          log.push(`end ${name}`);
          resolve(name);
        });
      });
    const a1 = limiter.run("a", task("a1"));
    const a2 = limiter.run("a", task("a2"));
    const b1 = limiter.run("b", task("b1"));
    await tick();
    expect(log).toEqual(["start a1", "start b1"]);
    releases.shift()?.(); // a1 ends: a2 starts
    await tick();
    expect(log).toEqual(["start a1", "start b1", "end a1", "start a2"]);
    releases.shift()?.();
    releases.shift()?.();
    expect(await Promise.all([a1, a2, b1])).toEqual(["a1", "a2", "b1"]);
  });

  it("frees the slot when a task throws", async () => {
    const limiter = new KeyedLimiter(1);
    await expect(limiter.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limiter.run("a", async () => "next")).toBe("next");
  });
});

describe("mapLimit", () => {
  it("keeps order and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([1, 2, 3, 4, 5], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });
});
