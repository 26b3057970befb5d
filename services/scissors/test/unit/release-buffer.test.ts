import { describe, expect, it } from "vitest";
import { releaseBuffer } from "../../src/adapters/release-buffer.ts";

describe("releaseBuffer", () => {
  it("frees a buffer that is the whole of its memory", () => {
    const whole = Buffer.allocUnsafeSlow(320_000);
    const before = process.memoryUsage().arrayBuffers;
    releaseBuffer(whole);
    expect(whole.length).toBe(0);
    expect(whole.buffer.detached).toBe(true);
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(320_000);
  });

  it("leaves a slice of Node's shared pool, and any other view, alone", () => {
    const pooled = Buffer.from("a small body");
    const parent = Buffer.alloc(64, 7);
    const view = parent.subarray(8, 16);
    releaseBuffer(pooled);
    releaseBuffer(view);
    expect(pooled.toString()).toBe("a small body");
    expect([...view]).toEqual(Array(8).fill(7));
    expect(parent.length).toBe(64);
  });

  it("does nothing the second time", () => {
    const whole = Buffer.alloc(16);
    releaseBuffer(whole);
    expect(() => releaseBuffer(whole)).not.toThrow();
  });
});
