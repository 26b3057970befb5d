import { finished, type Readable } from "node:stream";
import { tooLarge } from "../core/errors.ts";
import { releaseBuffer } from "./release-buffer.ts";

/**
 * Collects a byte stream, failing as soon as it passes `maxBytes`: a source that lies about its length, or
 * sends none, is cut off at the limit instead of being buffered whole, and the stream is destroyed.
 *
 * With a declared length the bytes go straight into one buffer of that size, allocated when the first byte
 * arrives (an origin that sends headers and stalls holds nothing); a longer body moves to a growing list at
 * the first byte past it. Events, not `for await`: the async iterator costs a promise per chunk, and a 2K
 * photo arrives in five or more of them. `finished` settles it for a stream that had already ended, failed
 * or closed too.
 */
export interface ReadOptions {
  /**
   * Free each chunk once it is copied (release-buffer.ts). Only for a stream whose chunks nobody else
   * keeps: node:http's response, whose parser copies each chunk out of the socket's buffer for us alone.
   */
  releaseChunks?: boolean;
}

export function readLimited(
  stream: Readable,
  maxBytes: number,
  declaredLength?: number,
  { releaseChunks = false }: ReadOptions = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const expected =
      declaredLength !== undefined && Number.isSafeInteger(declaredLength) && declaredLength >= 0
        ? Math.min(declaredLength, maxBytes)
        : undefined;
    let whole: Buffer | undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (error?: Error, bytes?: Buffer) => {
      if (settled) return;
      settled = true;
      stream.off("data", onData);
      stopWatching();
      if (error) reject(error);
      else resolve(bytes as Buffer);
    };
    const onData = (chunk: Buffer) => {
      if (total + chunk.length > maxBytes) {
        settle(tooLarge(`source is larger than ${maxBytes} bytes`));
        stream.destroy();
        return;
      }
      // Never a slice of Node's pool, so that it can be freed once processed (release-buffer.ts).
      if (total === 0 && expected !== undefined && chunk.length <= expected) whole = Buffer.allocUnsafeSlow(expected);
      if (whole && total + chunk.length <= whole.length) {
        chunk.copy(whole, total);
        total += chunk.length;
        if (releaseChunks) releaseBuffer(chunk);
        return;
      }
      // Longer than declared (or no length): keep what came so far and go on collecting.
      if (whole) chunks.push(whole.subarray(0, total));
      whole = undefined;
      chunks.push(chunk);
      total += chunk.length;
    };
    const onEnd = () => {
      if (whole) settle(undefined, total === whole.length ? whole : whole.subarray(0, total));
      else settle(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    const stopWatching = finished(stream, (error) => (error ? settle(error) : onEnd()));
    stream.on("data", onData);
    // A paused stream would not flow for a 'data' listener alone.
    stream.resume();
  });
}
