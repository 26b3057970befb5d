import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { loadPreshrinker } from "../../src/adapters/jpeg-preshrink.ts";
import { transform } from "../../src/adapters/transform.ts";
import { ScissorsError } from "../../src/core/errors.ts";
import { preshrinkFor, shrinkFactors } from "../../src/core/jpeg-shrink.ts";

const photo = { width: 2048, height: 1365 };

describe("preshrinkFor", () => {
  it("decodes at 1/4 where sharp would take 1/2: fit 512 of 2048 px is a factor of exactly 4", () => {
    expect(preshrinkFor(photo, { width: 512, height: 512, fit: "inside" })).toEqual({
      shrink: 4,
      resize: { width: 512, height: 341, fit: "fill" },
    });
    expect(preshrinkFor(photo, { width: 512, height: 341, fit: "cover" })).toEqual({
      shrink: 4,
      resize: { width: 512, height: 341, fit: "inside" },
      extract: { left: 0, top: 0, width: 512, height: 341 },
    });
    // 4.5: sharp's integer part is 4 as well.
    expect(preshrinkFor({ width: 2304, height: 1536 }, { width: 512, fit: "inside" })?.shrink).toBe(4);
    expect(preshrinkFor({ width: 4096, height: 4096 }, { width: 512, fit: "inside" })?.shrink).toBe(8);
  });

  it("takes every cover crop, scaled evenly into the box of the full-size source and cut where the gravity says", () => {
    // 6.8: sharp takes 4 itself, but scales from the 341 decoded rows, not 341.25.
    expect(preshrinkFor(photo, { width: 300, height: 200, fit: "cover" })).toEqual({
      shrink: 4,
      resize: { width: 300, height: 200, fit: "inside" },
      extract: { left: 0, top: 0, width: 300, height: 200 },
    });
    // The box is 600×400: a square is cut from its middle, or from its right side for "east".
    const square = { width: 400, height: 400, fit: "cover" as const };
    expect(preshrinkFor(photo, { ...square, gravity: "center" })?.extract).toEqual({
      left: 100,
      top: 0,
      width: 400,
      height: 400,
    });
    expect(preshrinkFor(photo, { ...square, gravity: "east" })?.extract?.left).toBe(200);
    expect(preshrinkFor(photo, { ...square, gravity: "attention" })).toBeUndefined();
  });

  it("leaves to sharp what it already shrinks fully, enlargements, contain, and decodes that would come out short", () => {
    expect(preshrinkFor(photo, { width: 300, height: 300, fit: "inside" })).toBeUndefined();
    expect(preshrinkFor(photo, { width: 4096, fit: "inside" })).toBeUndefined();
    expect(preshrinkFor(photo, { width: 512, height: 512, fit: "contain" })).toBeUndefined();
    // 1365 / 2 = 682.5 rounds to 683 rows, but a 1/2 decode gives 682.
    expect(preshrinkFor(photo, { width: 1024, fit: "inside" })).toBeUndefined();
  });

  it("shrinks each axis as sharp's fits do", () => {
    expect(shrinkFactors(photo, { width: 512, height: 512, fit: "inside" })).toEqual({ h: 4, v: 4 });
    expect(shrinkFactors(photo, { width: 512, height: 512, fit: "cover" })).toEqual({
      h: 1365 / 512,
      v: 1365 / 512,
    });
    expect(shrinkFactors(photo, { width: 512, height: 100, fit: "fill" })).toEqual({ h: 4, v: 13.65 });
    expect(shrinkFactors(photo, { width: 512, fit: "fill" })).toEqual({ h: 4, v: 1 });
    expect(shrinkFactors(photo, { width: 4096, fit: "inside" })).toEqual({ h: 1, v: 1 });
  });
});

describe("transform with preshrink", () => {
  const settings = { maxInputPixels: 50_000_000, maxFrames: 100, maxDimension: 4096, timeoutMs: 10_000 };
  const options = { width: 512, height: 512, fit: "inside" as const, gravity: "center" as const, dpr: 1 };
  const source = () =>
    sharp({ create: { width: 2048, height: 1365, channels: 3, background: "#3080c0" } })
      .composite([
        {
          input: Buffer.from(
            '<svg width="2048" height="1365"><circle cx="900" cy="600" r="400" fill="#f0a020"/></svg>',
          ),
        },
      ])
      .jpeg({ quality: 90 })
      .toBuffer();

  it("gives the size and colours sharp's own path gives", async () => {
    const input = await source();
    const ours = await transform(input, "jpeg", options, "jpeg", { ...settings, jpegPreshrink: true });
    const sharps = await transform(input, "jpeg", options, "jpeg", { ...settings, jpegPreshrink: false });
    expect([ours.width, ours.height]).toEqual([512, 341]);
    expect([sharps.width, sharps.height]).toEqual([512, 341]);
    // Other pixels (decoded at 1/4, not at 1/2 and reduced): the fast path did run.
    expect(ours.body.equals(sharps.body)).toBe(false);
    const mean = async (body: Buffer) => (await sharp(body).stats()).channels.map((c) => Math.round(c.mean));
    const [a, b] = [await mean(ours.body), await mean(sharps.body)];
    for (const [i, value] of a.entries()) expect(Math.abs(value - (b[i] as number))).toBeLessThanOrEqual(1);
  });

  it("encodes in the one libvips call the bytes sharp encodes from the same decoded pixels", async () => {
    const decoder = await loadPreshrinker();
    if (!decoder) throw new Error("the libvips sharp loaded was not found");
    const input = await source();
    const plans = [
      preshrinkFor(photo, { width: 512, height: 512, fit: "inside" }),
      preshrinkFor(photo, { width: 300, height: 200, fit: "cover" }),
      preshrinkFor(photo, { width: 400, height: 400, fit: "cover", gravity: "east" }),
    ];
    for (const plan of plans) {
      if (!plan) throw new Error("no plan");
      const whole = await decoder.encodeJpeg(input, plan, 80, 10_000);
      const pixels = await decoder.decode(input, plan.shrink, 10_000);
      const raw = { width: pixels.width, height: pixels.height, channels: pixels.channels };
      const image = sharp(pixels.data, { raw }).resize(plan.resize);
      if (plan.extract) image.extract(plan.extract);
      const sharps = await image.jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true });
      pixels.release();
      expect([whole?.width, whole?.height]).toEqual([sharps.info.width, sharps.info.height]);
      expect(whole?.body.equals(sharps.data)).toBe(true);
    }
  });

  it("answers a truncated JPEG with a 422, as sharp's path does", async () => {
    const input = (await source()).subarray(0, 20_000);
    const error = await transform(input, "jpeg", options, "jpeg", { ...settings, jpegPreshrink: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScissorsError);
    expect((error as ScissorsError).status).toBe(422);
  });

  it("stops a decode past the processing timeout with a 504, as sharp's own timeout does", async () => {
    const noise = { type: "gaussian" as const, mean: 128, sigma: 60 };
    const input = await sharp({ create: { width: 4096, height: 4096, channels: 3, background: "#000", noise } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const big = { ...options, width: 1024, height: 1024 };
    // Within time, the same source is served: the 504 is the timeout's, not the image's.
    let started = performance.now();
    const served = await transform(input, "jpeg", big, "jpeg", { ...settings, jpegPreshrink: true });
    const fullMs = performance.now() - started;
    expect([served.width, served.height]).toEqual([1024, 1024]);
    started = performance.now();
    const error = await transform(input, "jpeg", big, "jpeg", { ...settings, timeoutMs: 5, jpegPreshrink: true }).catch(
      (e: unknown) => e,
    );
    expect((error as ScissorsError).status).toBe(504);
    // libvips stopped the decode, rather than the answer waiting for it to finish.
    expect(performance.now() - started).toBeLessThan(fullMs / 2);
  }, 30_000);

  it("leaves rotated JPEGs to sharp, which turns them upright", async () => {
    const input = await sharp(await source())
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const result = await transform(input, "jpeg", options, "jpeg", { ...settings, jpegPreshrink: true });
    expect([result.width, result.height]).toEqual([341, 512]);
  });
});

describe("the preshrinker's header check", () => {
  it("takes only baseline sRGB JPEGs with no profile: progressive, ICC and CMYK go to sharp", async () => {
    const decoder = await loadPreshrinker();
    if (!decoder) throw new Error("the libvips sharp loaded was not found");
    const base = sharp({ create: { width: 64, height: 48, channels: 3, background: "#336699" } });
    const header = async (image: Sharp) => decoder.header(await image.toBuffer());
    expect(await header(base.clone().jpeg())).toEqual({ width: 64, height: 48, plain: true });
    expect((await header(base.clone().jpeg({ progressive: true })))?.plain).toBe(false);
    expect((await header(base.clone().withIccProfile("p3").jpeg()))?.plain).toBe(false);
    expect((await header(base.clone().toColourspace("cmyk").jpeg()))?.plain).toBe(false);
    expect(await header(base.clone().png())).toBeUndefined();
  });
});
