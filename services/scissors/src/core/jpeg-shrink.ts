import type { Fit, Gravity } from "./options.ts";

// A JPEG decoder can shrink by 2, 4 or 8 for almost nothing: it computes fewer pixels from the same
// coefficients (shrink-on-load). sharp takes the largest of these that leaves the rest of the resize to do,
// but lowers it one step when the factor's integer part equals it (its "known libjpeg rounding errors"):
// a 2048 px photo fitted into 512 (factor 4.0) is decoded at 1024 px and reduced by 2, where imgproxy and
// PIL decode straight at 512. On that resize the half-size decode and reduce cost 35% more CPU per image
// (services/scissors/README.md). This module decides when to decode at the full step instead.
//
// Cover crops go this way at every factor, for their geometry: sharp scales a cover from the decoded size,
// which libvips rounds down (1365 rows by 4 give 341, not 341.25), so its scale overshoots and the output
// is stretched by a fraction of a pixel (SSIM 0.9580 against 0.9588-0.9592 on the bench's cover 300×200).
// Here the crop box comes from the full-size source, and the decoded pixels are scaled evenly into it.

export interface PixelSize {
  width: number;
  height: number;
}

export interface Target {
  width?: number;
  height?: number;
  fit: Fit;
  gravity?: Gravity;
}

/** How the pre-shrunk pixels are resized afterwards, and for a cover the crop taken from the result. */
export interface Preshrink {
  shrink: 2 | 4 | 8;
  resize: { width?: number; height?: number; fit: Fit };
  extract?: { left: number; top: number; width: number; height: number };
}

const half = (d: number) => Math.floor((d + 1) / 2);
// sharp's CalculateCrop: where a compass gravity puts the output in a larger image.
const crops: Partial<Record<Gravity, (dw: number, dh: number) => [number, number]>> = {
  center: (dw, dh) => [half(dw), half(dh)],
  north: (dw) => [half(dw), 0],
  northeast: (dw) => [dw, 0],
  east: (dw, dh) => [dw, half(dh)],
  southeast: (dw, dh) => [dw, dh],
  south: (dw, dh) => [half(dw), dh],
  southwest: (_, dh) => [0, dh],
  west: (_, dh) => [0, half(dh)],
  northwest: () => [0, 0],
};

/** sharp's ResolveShrink: the factor each axis shrinks by (≥ 1, as with withoutEnlargement). */
export function shrinkFactors(source: PixelSize, target: Target): { h: number; v: number } {
  let h = 1;
  let v = 1;
  const { width, height, fit } = target;
  if (width !== undefined && height !== undefined) {
    h = source.width / width;
    v = source.height / height;
    if (fit === "cover" || fit === "outside") h = v = Math.min(h, v);
    else if (fit === "contain" || fit === "inside") h = v = Math.max(h, v);
  } else if (width !== undefined) {
    h = source.width / width;
    if (fit !== "fill") v = h;
  } else if (height !== undefined) {
    v = source.height / height;
    if (fit !== "fill") h = v;
  }
  return { h: Math.max(1, h), v: Math.max(1, v) };
}

/**
 * The shrink-on-load to use where sharp would use half of it, or undefined where sharp already picks the
 * best one (or there is none). Fits whose output size is the target's (cover, fill) pass on as they are;
 * inside and outside get the size libvips' resize gives the full-size source (rounded half up), which
 * sharp could miss by a pixel from the decoder's rounded size. Contain (letterboxing) is left to sharp.
 */
export function preshrinkFor(source: PixelSize, target: Target): Preshrink | undefined {
  if (target.fit === "contain") return undefined;
  const { h, v } = shrinkFactors(source, target);
  const factor = Math.min(h, v);
  const best = factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
  if (target.fit === "cover" && best > 1) return coverPreshrink(source, target, factor, best as 2 | 4 | 8);
  const sharps = best > 1 && Math.floor(factor) === best ? best / 2 : best;
  if (best === 1 || sharps === best) return undefined;
  const shrink = best as 2 | 4 | 8;
  // libvips rounds a shrunk decode down (1365 rows by 2 give 682): where that is short of the size the
  // resize needs (683), the last row would have to be made up by an upscale, slower than sharp's own way.
  const needs = { width: Math.round(source.width / h), height: Math.round(source.height / v) };
  if (Math.floor(source.width / shrink) < needs.width || Math.floor(source.height / shrink) < needs.height) {
    return undefined;
  }
  if (target.fit === "inside" || target.fit === "outside") {
    return { shrink, resize: { ...needs, fit: "fill" } };
  }
  return { shrink, resize: { width: target.width, height: target.height, fit: target.fit } };
}

/**
 * A cover crop of a source decoded at 1/shrink: the decoded pixels scaled evenly into the box the full-size
 * source would be scaled to, then the target cut out of it where the gravity says. Undefined for the
 * attention and entropy strategies (sharp's own), and where the decode rounds down below that box.
 */
function coverPreshrink(source: PixelSize, target: Target, factor: number, shrink: 2 | 4 | 8): Preshrink | undefined {
  const place = crops[target.gravity ?? "center"];
  if (!place || target.width === undefined || target.height === undefined) return undefined;
  const box = { width: Math.round(source.width / factor), height: Math.round(source.height / factor) };
  const decoded = { width: Math.floor(source.width / shrink), height: Math.floor(source.height / shrink) };
  // As sharp's inside fit scales: by the larger of the two shrinks, each side rounded.
  const scale = Math.max(decoded.width / box.width, decoded.height / box.height);
  if (scale < 1) return undefined; // the box is larger than the decode: an upscale, slower than sharp's way
  const scaled = { width: Math.round(decoded.width / scale), height: Math.round(decoded.height / scale) };
  if (scaled.width < target.width || scaled.height < target.height) return undefined;
  const [left, top] = place(scaled.width - target.width, scaled.height - target.height);
  return {
    shrink,
    resize: { ...box, fit: "inside" },
    extract: { left, top, width: target.width, height: target.height },
  };
}
