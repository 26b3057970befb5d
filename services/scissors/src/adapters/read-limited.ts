import type { Readable } from "node:stream";
import { tooLarge } from "../core/errors.ts";

/**
 * Collects a byte stream, failing as soon as it passes `maxBytes`: a source that lies about its length, or
 * sends none, is cut off at the limit instead of being buffered whole.
 *
 * With a declared length the bytes go straight into one buffer of that size (a longer body moves to a growing
 * list at the first byte past it). The declared length is already within `maxBytes`, and pages of the buffer
 * that no byte reaches are never touched, so a length that is a lie costs no resident memory. Events, not `for await`: the async iterator costs a promise per chunk, and a
 * 2K photo arrives in five or more of them.
 */
export function readLimited(stream: Readable, maxBytes: number, declaredLength?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const expected =
      declaredLength !== undefined && Number.isSafeInteger(declaredLength) && declaredLength >= 0
        ? Math.min(declaredLength, maxBytes)
        : undefined;
    let whole = expected !== undefined ? Buffer.allocUnsafe(expected) : undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (error?: Error, bytes?: Buffer) => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
      if (error) reject(error);
      else resolve(bytes as Buffer);
    };
    const onData = (chunk: Buffer) => {
      if (total + chunk.length > maxBytes) {
        finish(tooLarge(`source is larger than ${maxBytes} bytes`));
        return;
      }
      if (whole && total + chunk.length <= whole.length) {
        chunk.copy(whole, total);
      } else {
        // Longer than declared: keep what came so far and go on collecting.
        if (whole) chunks.push(whole.subarray(0, total));
        whole = undefined;
        chunks.push(chunk);
      }
      total += chunk.length;
    };
    const onEnd = () => {
      if (whole) finish(undefined, total === whole.length ? whole : whole.subarray(0, total));
      else finish(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => finish(error);
    // A stream destroyed without an error (a socket reset mid-body) must not leave the promise hanging.
    const onClose = () => finish(new Error("source stream closed before its end"));
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", onError);
    stream.once("close", onClose);
  });
}
