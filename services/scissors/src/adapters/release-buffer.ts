// Frees a Buffer's memory now instead of at the next garbage collection. A source is 0.3–20 MB that V8
// sees as a small object; with the old generation started at 64 MB (Dockerfile) dozens of dead sources and
// download chunks waited for a full mark, and made most of the service's RSS above idle
// (services/scissors/README.md, "Peak RSS"). Detaching the ArrayBuffer frees its backing store at once.

/**
 * Detaches `bytes`' memory if `bytes` is the whole of its ArrayBuffer (Buffer.allocUnsafeSlow, or a
 * chunk that Node's HTTP parser copied out): a slice of Node's shared pool, or of anything else, is left
 * alone. Only for a buffer that nothing, native code included, will read again: it reads as empty after.
 */
export function releaseBuffer(bytes: Buffer): void {
  const whole = bytes.buffer;
  if (!(whole instanceof ArrayBuffer) || whole.detached) return;
  if (bytes.byteOffset !== 0 || bytes.byteLength !== whole.byteLength) return;
  whole.transfer(0);
}
