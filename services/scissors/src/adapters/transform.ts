import sharp, { type Metadata, type Sharp } from "sharp";
import { ScissorsError, timedOut, tooLarge, unprocessable, unsupported } from "../core/errors.ts";
import { type Preshrink, preshrinkFor } from "../core/jpeg-shrink.ts";
import { effectiveQuality, type OutputFormat, type TransformOptions, targetSize } from "../core/options.ts";
import type { SourceFormat } from "../core/sniff.ts";
import { type DecodedPixels, loadPreshrinker, type OffThread, type Preshrinker } from "./jpeg-preshrink.ts";

// libvips' operation cache keeps decoded images around for reuse that never comes in a proxy: off, so RSS
// follows the work in flight. One libvips thread per image: requests run in parallel instead, which is
// faster on few cores and keeps the memory per request predictable.
sharp.cache(false);
sharp.concurrency(1);
// Only the loaders for the formats we serve can run. TIFF, PDF, ImageMagick, OpenSlide, FITS, Matlab, .v
// and the rest are blocked inside libvips, even if a file reached it by some other path than the sniffer.
sharp.block({ operation: ["VipsForeignLoad"] });
sharp.unblock({
  operation: [
    "VipsForeignLoadJpeg",
    "VipsForeignLoadPng",
    "VipsForeignLoadWebp",
    "VipsForeignLoadGif",
    "VipsForeignLoadNsgif",
    "VipsForeignLoadHeif",
    "VipsForeignLoadSvg",
  ],
});

export interface TransformSettings {
  maxInputPixels: number;
  maxFrames: number;
  maxDimension: number;
  timeoutMs: number;
  /** Decode JPEGs at the full shrink-on-load step where sharp would take half (core/jpeg-shrink.ts). */
  jpegPreshrink?: boolean;
  /** Told when a request's libvips call leaves the main thread free (images.ts paces full GCs by it). */
  offThread?: OffThread;
}

export interface TransformResult {
  body: Buffer;
  width: number;
  height: number;
}

const loaderFormat: Record<SourceFormat, string[]> = {
  jpeg: ["jpeg"],
  png: ["png"],
  webp: ["webp"],
  gif: ["gif"],
  avif: ["heif"],
  heif: ["heif"],
  svg: ["svg"],
};

const animatable = new Set<OutputFormat>(["webp", "gif"]);

export function decodeError(error: unknown): ScissorsError {
  if (error instanceof ScissorsError) return error;
  const message = (error as Error).message ?? String(error);
  if (/timeout/i.test(message)) return timedOut("image processing took too long");
  if (/pixel limit/i.test(message)) return tooLarge("image has too many pixels");
  if (/operation is blocked|unsupported image format/i.test(message))
    return unsupported("image format is not supported");
  // libvips' messages name the decoder and what was wrong with the file; that is what the client needs.
  return unprocessable(`image could not be decoded: ${message.split("\n")[0]?.slice(0, 200)}`);
}

// Formats that hold exactly one image. When libvips opens one it reads only the header, and sharp refuses it
// right there if it is over `limitInputPixels`, before a pixel is decoded: a separate header probe first
// would only parse the header twice. The others are probed first, for their frame count.
const singleImage = new Set<SourceFormat>(["jpeg", "png"]);

/** Reads the header only: dimensions and frame count are checked before a single pixel is decoded. */
export async function inspect(input: Buffer, settings: TransformSettings, expected: SourceFormat): Promise<Metadata> {
  let metadata: Metadata;
  try {
    metadata = await sharp(input, { failOn: "warning", limitInputPixels: false }).metadata();
  } catch (error) {
    throw decodeError(error);
  }
  if (!loaderFormat[expected].includes(metadata.format)) {
    throw unprocessable(`image content is ${metadata.format}, not ${expected}`);
  }
  const pages = metadata.pages ?? 1;
  const frameHeight = metadata.pageHeight ?? metadata.height;
  const pixels = metadata.width * frameHeight;
  if (pixels > settings.maxInputPixels) {
    throw tooLarge(`image is ${metadata.width}×${frameHeight}, more than ${settings.maxInputPixels} pixels`);
  }
  if (pages > settings.maxFrames) throw tooLarge(`image has ${pages} frames, more than ${settings.maxFrames}`);
  return metadata;
}

type Resize = { width?: number; height?: number; fit: TransformOptions["fit"] };

function pipeline(
  input: Buffer | DecodedPixels,
  metadata: Metadata | undefined,
  options: TransformOptions,
  format: OutputFormat,
  settings: TransformSettings,
  preshrunk?: Omit<Preshrink, "shrink">,
): Sharp {
  const animated = (metadata?.pages ?? 1) > 1 && animatable.has(format);
  const timeout = { seconds: Math.max(1, Math.ceil(settings.timeoutMs / 1000)) };
  const image = Buffer.isBuffer(input)
    ? sharp(input, {
        failOn: "warning",
        // Per frame; an animation's frames were counted and bounded by maxFrames in inspect().
        limitInputPixels: settings.maxInputPixels * (animated ? settings.maxFrames : 1),
        animated,
        autoOrient: true,
      }).timeout(timeout)
    : // Pixels already decoded from a JPEG within the pixel limit, upright and in sRGB.
      sharp(input.data, { raw: { width: input.width, height: input.height, channels: input.channels } }).timeout(
        timeout,
      );
  const { width, height } = targetSize(options);
  let resize: Resize;
  if (preshrunk) resize = preshrunk.resize;
  else if (width === undefined && height === undefined) {
    // No size asked for: the output is still bounded by the output dimension limit (per frame when
    // animated). withoutEnlargement makes this a no-op for anything smaller.
    const bound = settings.maxDimension;
    resize = { width: bound, height: bound, fit: "inside" };
  } else {
    // sharp takes compass names and the attention/entropy strategies under the same option. JPEG sources
    // are shrunk while decoding (shrink-on-load): a resize with nothing before it lets libvips do that.
    resize = { width, height, fit: options.fit };
  }
  image.resize({ ...resize, position: options.gravity, withoutEnlargement: true });
  if (preshrunk?.extract) image.extract(preshrunk.extract);
  if (options.blur) image.blur(options.blur);
  // sharp flattens only an image that has alpha.
  if (format === "jpeg") image.flatten({ background: "#ffffff" });
  const quality = effectiveQuality(options, format);
  switch (format) {
    case "jpeg":
      return image.jpeg({ quality });
    case "webp":
      return image.webp({ quality });
    case "avif":
      return image.avif({ quality, effort: 2 });
    case "png":
      return image.png();
    case "gif":
      return image.gif();
  }
}

let preshrinker: Promise<Preshrinker | undefined> | undefined;

/**
 * For a plain JPEG that core/jpeg-shrink.ts takes (sharp would decode at half the step it could, or a
 * cover crop), the decoder and its plan; undefined for sharp's own path.
 */
async function preshrinkPlan(
  input: Buffer,
  options: TransformOptions,
  settings: TransformSettings,
): Promise<{ decoder: Preshrinker; plan: Preshrink } | undefined> {
  preshrinker ??= loadPreshrinker().catch(() => undefined);
  const decoder = await preshrinker;
  const header = decoder?.header(input);
  if (!decoder || !header?.plain || header.width * header.height > settings.maxInputPixels) return undefined;
  const { width, height } = targetSize(options);
  const target =
    width === undefined && height === undefined
      ? { width: settings.maxDimension, height: settings.maxDimension, fit: "inside" as const }
      : { width, height, fit: options.fit, gravity: options.gravity };
  const plan = preshrinkFor(header, target);
  return plan && { decoder, plan };
}

/** Runs the decode, resize and encode, with every failure mapped to a ScissorsError. */
export async function render(
  input: Buffer,
  metadata: Metadata | undefined,
  options: TransformOptions,
  format: OutputFormat,
  settings: TransformSettings,
  sourceFormat?: SourceFormat,
): Promise<TransformResult> {
  let pixels: DecodedPixels | undefined;
  const started = performance.now();
  try {
    const planned =
      settings.jpegPreshrink && sourceFormat === "jpeg" ? await preshrinkPlan(input, options, settings) : undefined;
    // JPEG to JPEG with nothing but a resize: one libvips call does it all. The pixels never reach
    // JavaScript (no 0.5 MB view for V8 to count as external memory), and the request needs the event loop
    // once, not twice (services/scissors/README.md, "p99 at c=2").
    const quality = effectiveQuality(options, format);
    const whole =
      planned && format === "jpeg" && quality !== undefined && !options.blur
        ? planned.decoder.encodeJpeg(input, planned.plan, quality, settings.timeoutMs, settings.offThread)
        : undefined;
    if (whole) return await whole;
    let preshrunk: Omit<Preshrink, "shrink"> | undefined;
    if (planned) {
      const { shrink, ...then } = planned.plan;
      pixels = await planned.decoder.decode(input, shrink, settings.timeoutMs);
      preshrunk = then;
    }
    // One processing timeout for the decode and the rest together.
    const rest = { ...settings, timeoutMs: settings.timeoutMs - (performance.now() - started) };
    const { data, info } = await pipeline(pixels ?? input, metadata, options, format, rest, preshrunk).toBuffer({
      resolveWithObject: true,
    });
    return { body: data, width: info.width, height: info.height };
  } catch (error) {
    throw decodeError(error);
  } finally {
    pixels?.release();
  }
}

/**
 * Decodes, auto-rotates, resizes and encodes one raster image. Metadata (EXIF, XMP, ICC beyond sRGB) is
 * dropped, as sharp does unless asked to keep it. Every failure is a ScissorsError with a 4xx or 504. SVG
 * never comes here: librsvg ignores the timeout, so it renders in a child process (svg-renderers.ts).
 */
export async function transform(
  source: Buffer,
  sourceFormat: Exclude<SourceFormat, "svg">,
  options: TransformOptions,
  format: OutputFormat,
  settings: TransformSettings,
): Promise<TransformResult> {
  const metadata = singleImage.has(sourceFormat) ? undefined : await inspect(source, settings, sourceFormat);
  return render(source, metadata, options, format, settings, sourceFormat);
}
