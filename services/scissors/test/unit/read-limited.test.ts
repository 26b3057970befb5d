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

  it("frees each chunk once copied, when asked to, and keeps every byte", async () => {
    const chunks = [bytes(3, 1), bytes(4, 2)];
    const body = await readLimited(streamOf(...chunks), 100, 7, { releaseChunks: true });
    expect([...body]).toEqual([1, 1, 1, 2, 2, 2, 2]);
    expect(chunks.map((c) => c.length)).toEqual([0, 0]);
    // The result is its own memory, so that it can be freed once processed too.
    expect(body.byteLength).toBe(body.buffer.byteLength);
  });

  it("leaves the chunks alone by default", async () => {
    const chunks = [bytes(3, 1), bytes(4, 2)];
    await readLimited(streamOf(...chunks), 100, 7);
    expect(chunks.map((c) => c.length)).toEqual([3, 4]);
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

  it("fails at the first chunk past the limit, whatever the declared length, and destroys the stream", async () => {
    const declared = streamOf(bytes(60, 1), bytes(60, 2));
    await expect(readLimited(declared, 100, 50)).rejects.toMatchObject({ status: 413 });
    expect(declared.destroyed).toBe(true);
    await expect(readLimited(streamOf(bytes(60, 1), bytes(60, 2)), 100)).rejects.toMatchObject({ status: 413 });
  });

  it("reads a stream that was paused before the call", async () => {
    const paused = streamOf(bytes(2, 7));
    paused.pause();
    expect([...(await readLimited(paused, 100, 2))]).toEqual([7, 7]);
  });

  it("settles for a stream that had already failed, closed or ended before the call", async () => {
    const failed = new Readable({ read() {} });
    failed.on("error", () => {});
    failed.destroy(new Error("reset before the read"));
    await expect(readLimited(failed, 100)).rejects.toThrow("reset before the read");
    const closed = new Readable({ read() {} });
    closed.destroy();
    await expect(readLimited(closed, 100)).rejects.toThrow(/premature close/i);
    const ended = streamOf();
    ended.resume();
    await new Promise((resolve) => ended.once("end", resolve));
    expect((await readLimited(ended, 100)).length).toBe(0);
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
    await expect(read2).rejects.toThrow(/premature close/i);
  });
});
