export type SourceFormat = "jpeg" | "png" | "webp" | "gif" | "avif" | "heif" | "svg";

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  signature.every((byte, i) => bytes[offset + i] === byte);

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));

// Processing instructions and comments, then perhaps a DOCTYPE (whose internal subset, in brackets, may hold
// '>': the SVG reader refuses it by name), then the root element.
const svgStart =
  /^(<\?[^>]*>\s*|<!--[\s\S]*?-->\s*)*(<!DOCTYPE\s+svg[^>[]*(\[[\s\S]*?\]\s*)?>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i;

/**
 * The format named by the file's first bytes, or undefined. Only these formats reach the decoder, whatever
 * the origin's Content-Type says, so a PDF, a TIFF or a libvips .v file never gets to its loader.
 */
export function sniffFormat(bytes: Uint8Array): SourceFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (ascii(bytes, 0, 4) === "GIF8") return "gif";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return "webp";
  if (ascii(bytes, 4, 8) === "ftyp") {
    const brand = ascii(bytes, 8, 12);
    if (brand === "avif" || brand === "avis") return "avif";
    if (["heic", "heix", "mif1", "msf1"].includes(brand)) return "heif";
    return undefined;
  }
  const head = ascii(bytes, 0, 1024)
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (svgStart.test(head)) return "svg";
  return undefined;
}
