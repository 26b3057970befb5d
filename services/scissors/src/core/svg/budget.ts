import { tooLarge } from "../errors.ts";
import type { SvgWork } from "./graph.ts";
import type { SvgLimits } from "./limits.ts";

export interface Size {
  width: number;
  height: number;
}

/**
 * The pixels librsvg renders for this request. sharp renders an SVG at the scale its resize needs (never
 * above the declared size, as the proxy never enlarges), so a 6000×6000 drawing asked for at 500 wide
 * renders 500×500. Cover and fill render at the larger of the two scales, the others at the smaller.
 */
export function renderedPixels(canvas: Size, target: Partial<Size>, fit: string, maxDimension: number): number {
  const scales = [
    target.width === undefined ? undefined : target.width / canvas.width,
    target.height === undefined ? undefined : target.height / canvas.height,
  ].filter((scale) => scale !== undefined);
  const bound = Math.min(maxDimension / canvas.width, maxDimension / canvas.height);
  let scale: number;
  if (scales.length === 0) scale = bound;
  else if (fit === "cover" || fit === "fill" || fit === "outside") scale = Math.max(...scales);
  else scale = Math.min(...scales);
  scale = Math.min(1, scale);
  return Math.ceil(canvas.width * scale) * Math.ceil(canvas.height * scale);
}

/**
 * Checks the work against the budgets once the rendered size and the embedded images' sizes are known.
 * Embedded images are decoded whole whatever the scale, and each draw is counted, against the same
 * pixel limit as any source image.
 */
export function checkSvgBudget(
  work: SvgWork,
  rendered: number,
  embeddedPixels: number[],
  limits: SvgLimits,
  maxInputPixels: number,
): void {
  const filterPixels = work.filterPrimitives * rendered;
  if (filterPixels > limits.maxFilterPixels) {
    throw tooLarge(
      `SVG filters would cover ${work.filterPrimitives} × ${rendered} pixels, more than ${limits.maxFilterPixels}`,
    );
  }
  const decoded = work.embedded.reduce((sum, image, i) => sum + image.times * (embeddedPixels[i] ?? 0), rendered);
  if (decoded > maxInputPixels) {
    throw tooLarge(`SVG and its embedded images come to ${decoded} pixels, more than ${maxInputPixels}`);
  }
}
