// Output quality: each peer's image against the source resized losslessly, as SSIM (Wang et al. 2004, on
// luma, ssim.js from npm). The reference is the source decoded at full size (no shrink-on-load), resized
// by libvips' Lanczos-3 to the peer's output size (cropped as the scenario crops) and never re-encoded, so
// a peer that saves CPU by decoding smaller, a cheaper kernel or a lower quality shows it here.
import sharp, { type Sharp } from "sharp";
import { ssim } from "ssim.js";
import type { ScenarioName } from "./scenarios.ts";
import { scenarios } from "./scenarios.ts";

async function rgba(image: Sharp) {
  const { data, info } = await image.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** SSIM of one output against its source, at the output's own size (peers round a pixel differently). */
export async function ssimOf(source: Buffer, output: Buffer, scenario: ScenarioName): Promise<number> {
  const got = await rgba(sharp(output));
  // Decoded in full first: a resize straight from the JPEG would let libvips shrink it while decoding.
  const { data, info } = await sharp(source).raw().toBuffer({ resolveWithObject: true });
  const full = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const fit = scenarios[scenario].fit === "cover" ? "cover" : "fill";
  const want = await rgba(full.resize({ width: got.width, height: got.height, fit, kernel: "lanczos3" }));
  return ssim(got, want, { ssim: "fast", downsample: false }).mssim;
}
