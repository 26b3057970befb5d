// JPEG decoding at a shrink-on-load factor that sharp does not offer (core/jpeg-shrink.ts says when). sharp
// has no option for it, so this calls the libvips that sharp itself loaded, through koffi (a prebuilt FFI):
// jpegload with `shrink`, decoded into memory on libuv's pool; sharp then resizes and encodes those pixels.
// Where that libvips or koffi cannot be found, `loadPreshrinker` answers undefined and sharp does it all.
// For a JPEG answer, `encodeJpeg` does the resize and the encode in the same libvips call as the decode.
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { timedOut, unprocessable } from "../core/errors.ts";
import type { Preshrink } from "../core/jpeg-shrink.ts";

export interface DecodedPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
  /** Frees the pixels; call once sharp is done with them. */
  release(): void;
}

export interface JpegHeader {
  width: number;
  height: number;
  /** 3-band sRGB, no ICC profile, no EXIF rotation, not progressive: pixels that need nothing but a resize. */
  plain: boolean;
}

export interface EncodedJpeg {
  body: Buffer;
  width: number;
  height: number;
}

/** Told when the call leaves the main thread free and when it is back. */
export interface OffThread {
  enter(): void;
  leave(): void;
}

export interface Preshrinker {
  header(input: Buffer): JpegHeader | undefined;
  decode(input: Buffer, shrink: number, timeoutMs: number): Promise<DecodedPixels>;
  /**
   * Decode at `plan.shrink`, resize, crop and encode as sharp's `.jpeg({ quality })` would (the same bytes),
   * all in one call on libuv's pool: no pixels reach JavaScript, and no second hop through the event loop.
   * Undefined where the plan's resize is not one it does (sharp's path does it then).
   */
  encodeJpeg(
    input: Buffer,
    plan: Preshrink,
    quality: number,
    timeoutMs: number,
    offThread?: OffThread,
  ): Promise<EncodedJpeg> | undefined;
}

// libvips' enums (vips/image.h, vips/foreign.h).
const accessSequential = 1;
const failOnWarning = 3;
const interpretationSrgb = 22;
const kernelLanczos3 = 5;
/** A GValue: a GType and two 8-byte words. */
const gvalueBytes = 24;

/** The libvips shared library mapped into this process: sharp's, whichever package or system path it came from. */
export function loadedLibvips(): string | undefined {
  // sharp loads libvips on import; a call through it makes sure the library is mapped.
  sharp.versions;
  let maps: string;
  try {
    maps = readFileSync("/proc/self/maps", "utf8");
  } catch {
    return undefined; // not Linux
  }
  for (const line of maps.split("\n")) {
    const path = line.slice(line.indexOf("/"));
    if (line.includes("/") && /\/libvips(-cpp)?\.so[.\d]*$/.test(path)) return path;
  }
  return undefined;
}

type Pointer = unknown;

export async function loadPreshrinker(): Promise<Preshrinker | undefined> {
  const path = loadedLibvips();
  if (!path) return undefined;
  let koffi: typeof import("koffi");
  try {
    koffi = (await import("koffi")).default;
  } catch {
    return undefined;
  }
  const lib = koffi.load(path);
  const jpegload = lib.func("int vips_jpegload_buffer(const uint8_t *buf, size_t len, _Out_ void **out, ...)");
  const width = lib.func("int vips_image_get_width(void *image)");
  const height = lib.func("int vips_image_get_height(void *image)");
  const bands = lib.func("int vips_image_get_bands(void *image)");
  const interpretation = lib.func("int vips_image_get_interpretation(void *image)");
  const orientation = lib.func("int vips_image_get_orientation(void *image)");
  const typeOf = lib.func("size_t vips_image_get_typeof(void *image, const char *name)");
  const toMemory = lib.func("void *vips_image_write_to_memory(void *image, _Out_ size_t *size)");
  const setKill = lib.func("void vips_image_set_kill(void *image, int kill)");
  const unref = lib.func("void g_object_unref(void *object)");
  const gFree = lib.func("void g_free(void *memory)");
  const errorBuffer = lib.func("const char *vips_error_buffer()");
  const errorClear = lib.func("void vips_error_clear()");
  // The encode goes through libvips' generic operation API, whose calls are not variadic: koffi can run
  // those on a worker thread (building jpegsave_buffer evaluates the whole pipeline), where it cannot run
  // vips_jpegsave_buffer(...).
  const resize = lib.func("int vips_resize(void *in, _Out_ void **out, double scale, ...)");
  const extractArea = lib.func("int vips_extract_area(void *in, _Out_ void **out, int l, int t, int w, int h, ...)");
  const operationNew = lib.func("void *vips_operation_new(const char *name)");
  const setFromString = lib.func("int vips_object_set_from_string(void *object, const char *string)");
  const build = lib.func("int vips_object_build(void *object)");
  const imageType = lib.func("size_t vips_image_get_type()");
  const blobType = lib.func("size_t vips_blob_get_type()");
  const blobGet = lib.func("const void *vips_blob_get(void *blob, _Out_ size_t *length)");
  const valueInit = lib.func("void *g_value_init(void *value, size_t type)");
  const valueSetObject = lib.func("void g_value_set_object(void *value, void *object)");
  const valueGetBoxed = lib.func("void *g_value_get_boxed(const void *value)");
  const valueUnset = lib.func("void g_value_unset(void *value)");
  const setProperty = lib.func("void g_object_set_property(void *object, const char *name, const void *value)");
  const getProperty = lib.func("void g_object_get_property(void *object, const char *name, void *value)");
  const unrefOutputs = lib.func("void vips_object_unref_outputs(void *object)");
  const copyOut = koffi.load("libc.so.6").func("void *memcpy(void *dst, const void *src, size_t n)");

  // The error buffer is shared with sharp's own jobs; its first line is this failure's (or near enough).
  const failure = (what: string) => {
    const message = String(errorBuffer() ?? "").split("\n")[0] || what;
    errorClear();
    return unprocessable(`image could not be decoded: ${message.slice(0, 200)}`);
  };

  // Reads the header only: libvips decodes nothing until pixels are asked for.
  const open = (input: Buffer, shrink: number): Pointer => {
    const out: Pointer[] = [null];
    const options = ["str", "access", "int", accessSequential, "str", "fail_on", "int", failOnWarning];
    if (shrink > 1) options.push("str", "shrink", "int", shrink);
    if (jpegload(input, input.length, out, ...options, "void *", null) !== 0) throw failure("bad JPEG header");
    return out[0];
  };

  return {
    header(input) {
      let image: Pointer;
      try {
        image = open(input, 1);
      } catch {
        return undefined; // sharp reports it, with its own checks first
      }
      try {
        const rotation = orientation(image) as number;
        return {
          width: width(image) as number,
          height: height(image) as number,
          plain:
            bands(image) === 3 &&
            interpretation(image) === interpretationSrgb &&
            rotation <= 1 &&
            typeOf(image, "icc-profile-data") === 0 &&
            // A progressive JPEG is decoded whole before a row comes out; sharp's timeout watches that.
            typeOf(image, "interlaced") === 0,
        };
      } finally {
        unref(image);
      }
    },

    encodeJpeg(input, plan, quality, timeoutMs, offThread) {
      const { width: boxWidth, height: boxHeight, fit } = plan.resize;
      if (boxWidth === undefined || boxHeight === undefined || (fit !== "fill" && fit !== "inside")) return undefined;
      return (async () => {
        const images: Pointer[] = [open(input, plan.shrink)];
        const save = operationNew("jpegsave_buffer");
        const value = Buffer.alloc(gvalueBytes);
        try {
          // The graph is built here, lazily: no pixel is decoded before jpegsave is built.
          const decoded = images[0];
          const h = boxWidth / (width(decoded) as number);
          const v = boxHeight / (height(decoded) as number);
          // Scales as sharp's resize does: each output side is the input's times its scale, rounded.
          const [hscale, vscale] = fit === "inside" ? [Math.min(h, v), Math.min(h, v)] : [h, v];
          const out: Pointer[] = [null];
          const kernel = ["str", "kernel", "int", kernelLanczos3];
          if (resize(decoded, out, hscale, "str", "vscale", "double", vscale, ...kernel, "void *", null) !== 0) {
            throw failure("resize failed");
          }
          images.push(out[0]);
          const crop = plan.extract;
          if (crop) {
            const cut = extractArea(out[0], out, crop.left, crop.top, crop.width, crop.height, "void *", null);
            if (cut !== 0) throw failure("crop failed");
            images.push(out[0]);
          }
          const last = images.at(-1);
          valueInit(value, imageType());
          valueSetObject(value, last);
          setProperty(save, "in", value);
          valueUnset(value);
          // sharp's .jpeg({ quality }) with its defaults: Huffman tables optimised, no metadata kept.
          if (setFromString(save, `Q=${quality},optimize_coding=true,keep=none`) !== 0) throw failure("bad options");
          let killed = false;
          const timer = setTimeout(() => {
            killed = true;
            setKill(last, 1);
          }, timeoutMs);
          let status: number;
          try {
            const running = new Promise<number>((resolve, reject) =>
              build.async(save, (error: Error | null, result: number) => (error ? reject(error) : resolve(result))),
            );
            offThread?.enter();
            status = await running.finally(() => offThread?.leave());
          } finally {
            clearTimeout(timer);
          }
          if (killed) {
            errorClear();
            throw timedOut("image processing took too long");
          }
          if (status !== 0) throw failure("JPEG decode failed");
          valueInit(value, blobType());
          getProperty(save, "buffer", value);
          const length: number[] = [0];
          const encoded = blobGet(valueGetBoxed(value), length);
          // Copied into memory of its own, freed with the answer; libvips' copy is freed below.
          const body = Buffer.allocUnsafeSlow(length[0] as number);
          copyOut(body, encoded, body.length);
          valueUnset(value);
          return { body, width: width(last) as number, height: height(last) as number };
        } finally {
          unrefOutputs(save);
          unref(save);
          for (const image of images) unref(image);
        }
      })();
    },

    async decode(input, shrink, timeoutMs) {
      const image = open(input, shrink);
      const shrunk = { width: width(image) as number, height: height(image) as number };
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        setKill(image, 1);
      }, timeoutMs);
      const size: number[] = [0];
      let memory: Pointer;
      try {
        memory = await new Promise<Pointer>((resolve, reject) =>
          toMemory.async(image, size, (error: Error | null, result: Pointer) =>
            error ? reject(error) : resolve(result),
          ),
        );
      } finally {
        clearTimeout(timer);
        unref(image);
      }
      if (killed) {
        if (memory) gFree(memory);
        errorClear();
        throw timedOut("image processing took too long");
      }
      if (!memory) throw failure("JPEG decode failed");
      let released = false;
      return {
        // A view of libvips' memory, no copy: freed by release(), once sharp has read it.
        data: Buffer.from(koffi.view(memory, size[0] as number)),
        ...shrunk,
        channels: 3,
        release() {
          if (released) return;
          released = true;
          gFree(memory);
        },
      };
    },
  };
}
