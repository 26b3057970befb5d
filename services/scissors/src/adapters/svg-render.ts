import sharp from "sharp";
import { unprocessable } from "../core/errors.ts";
import type { OutputFormat, TransformOptions } from "../core/options.ts";
import { targetSize } from "../core/options.ts";
import { sniffFormat } from "../core/sniff.ts";
import { checkSvgBudget, renderedPixels } from "../core/svg/budget.ts";
import { readSvgDocument } from "../core/svg/document.ts";
import { measureSvgWork } from "../core/svg/graph.ts";
import { defaultSvgLimits } from "../core/svg/limits.ts";
import { decodeError, inspect, render, type TransformResult, type TransformSettings } from "./transform.ts";

/** Decoded pixels of one embedded image, read from its header; anything but PNG or JPEG is refused. */
async function embeddedPixels(base64: string): Promise<number> {
  const bytes = Buffer.from(base64, "base64");
  const format = sniffFormat(bytes);
  if (format !== "png" && format !== "jpeg") throw unprocessable("SVG embeds an image that is not a PNG or JPEG");
  try {
    const { width, height } = await sharp(bytes, { limitInputPixels: false }).metadata();
    return width * height;
  } catch (error) {
    throw decodeError(error);
  }
}

/**
 * Checks, sanitises and rasterises one SVG. Everything is bounded before librsvg draws a pixel: the
 * document's elements, nesting and references (parsed here), its canvas (librsvg's header read), the pixels
 * rendered for this request, its filters, and every embedded image's decoded size. Runs in a renderer
 * process (svg-renderer.ts), which the service kills at the deadline.
 */
export async function renderSvg(
  source: Uint8Array,
  options: TransformOptions,
  format: OutputFormat,
  settings: TransformSettings,
): Promise<TransformResult> {
  const document = readSvgDocument(Buffer.from(source).toString("utf8"), defaultSvgLimits);
  const work = measureSvgWork(document, defaultSvgLimits);
  const input = Buffer.from(document.text);
  const metadata = await inspect(input, settings, "svg");
  const rendered = renderedPixels(metadata, targetSize(options), options.fit, settings.maxDimension);
  const sizes = new Map<string, Promise<number>>();
  const pixels = await Promise.all(
    work.embedded.map((image) => {
      const known = sizes.get(image.base64) ?? embeddedPixels(image.base64);
      sizes.set(image.base64, known);
      return known;
    }),
  );
  checkSvgBudget(work, rendered, pixels, defaultSvgLimits, settings.maxInputPixels);
  return render(input, metadata, options, format, settings);
}
