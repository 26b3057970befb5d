import { tooLarge } from "../core/errors.ts";

/**
 * Collects a byte stream, failing as soon as it passes `maxBytes`: a source that lies about its length, or
 * sends none, is cut off at the limit instead of being buffered whole.
 */
export async function readLimited(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(`source is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
