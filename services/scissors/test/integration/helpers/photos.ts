import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures");
export const fixture = (name: string) => readFileSync(join(fixtures, name));

/**
 * Real photographs in the sizes and formats a blog serves, made from the shipped fixtures: the rocket photo
 * upscaled to 2K, an AVIF, a PNG with alpha and a JPEG whose EXIF says "rotate 90°".
 */
export async function photoSet() {
  const rocket = fixture("rocket.jpg");
  return {
    "rocket.jpg": rocket,
    "chelsea.webp": fixture("chelsea.webp"),
    "coffee.png": fixture("coffee.png"),
    "animated.gif": fixture("animated.gif"),
    "multipage.tif": fixture("multipage.tif"),
    "rocket-2k.jpg": await sharp(rocket).resize(2048, 1365, { kernel: "lanczos3" }).jpeg({ quality: 90 }).toBuffer(),
    "chelsea.avif": await sharp(fixture("chelsea.webp")).avif({ quality: 60, effort: 2 }).toBuffer(),
    "coffee-alpha.png": await sharp(fixture("coffee.png")).ensureAlpha(0.5).png().toBuffer(),
    // 640×427 pixels stored, EXIF orientation 6: a viewer shows it 427 wide and 640 tall.
    "rotated.jpg": await sharp(rocket)
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: "secret-owner", Artist: "someone" } } })
      .jpeg()
      .toBuffer(),
  };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "latin1"), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A few hundred bytes that declare width × height RGB pixels: a decompression bomb if anyone decodes it. */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // RGB
  // A couple of rows of zeros; zlib would expand the rest from almost nothing.
  const rows = deflateSync(Buffer.alloc((width * 3 + 1) * 2), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", rows),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
