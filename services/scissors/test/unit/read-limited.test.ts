import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLimited } from "../../src/adapters/read-limited.ts";

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
const streamOf = (...chunks: Buffer[]) => Readable.from(chunks, { objectMode: false });

describe("readLimited", () => {
  it("collects a body of the declared length into one buffer", async () => {
    const body = await readLimited(streamOf(bytes(3, 1), bytes(4, 2)), 100, 7);
    expect([...body]).toEqual([1, 1, 1, 2, 2, 2, 2]);
  });

  it("keeps every byte of a body longer than declared", async () => {
    const body = await readLimited(streamOf(bytes(3, 1), bytes(4, 2), bytes(2, 3)), 100, 5);
    expect([...body]).toEqual([1, 1, 1, 2, 2, 2, 2, 3, 3]);
  });

  it("returns only what came of a body shorter than declared", async () => {
    const body = await readLimited(streamOf(bytes(2, 9)), 100, 10);
    expect([...body]).toEqual([9, 9]);
  });

  it("collects a body of no declared length", async () => {
    const body = await readLimited(streamOf(bytes(2, 1), bytes(1, 2)), 100);
    expect([...body]).toEqual([1, 1, 2]);
  });

  it("fails at the first chunk past the limit, whatever the declared length", async () => {
    await expect(readLimited(streamOf(bytes(60, 1), bytes(60, 2)), 100, 50)).rejects.toMatchObject({ status: 413 });
    await expect(readLimited(streamOf(bytes(60, 1), bytes(60, 2)), 100)).rejects.toMatchObject({ status: 413 });
  });

  it("fails, rather than hangs, when the stream errors or is destroyed mid-body", async () => {
    const failing = new Readable({ read() {} });
    const read = readLimited(failing, 100, 10);
    failing.push(bytes(2, 1));
    failing.destroy(new Error("socket reset"));
    await expect(read).rejects.toThrow("socket reset");
    const closed = new Readable({ read() {} });
    const read2 = readLimited(closed, 100, 10);
    closed.push(bytes(2, 1));
    closed.destroy();
    await expect(read2).rejects.toThrow("closed before its end");
  });
});
