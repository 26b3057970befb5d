import { availableParallelism } from "node:os";
import { z } from "zod";
import { fits, gravities, type Preset, requestFormats } from "./core/options.ts";
import { type SourceConfig, svgPolicies } from "./core/source.ts";

export interface ScissorsConfig {
  host: string;
  port: number;
  sources: SourceConfig[];
  allowedHosts: string[];
  signingKeys: string[];
  presets: Record<string, Preset>;
  /** SVG renderer processes; SVG is rasterised only from sources with `svg: "rasterize"`. */
  svg: { renderers: number; maxRssMiB: number; nice: number; maxBytes: number };
  limits: {
    maxSourceBytes: number;
    maxInputPixels: number;
    maxFrames: number;
    maxDimension: number;
    maxRedirects: number;
  };
  timeouts: { downloadMs: number; processingMs: number; responseMs: number };
  /** The longest request target (path and query) read, in bytes; longer gets 414. */
  maxUrlBytes: number;
  concurrency: { processing: number; queue: number; queueWaitMs: number; downloads: number };
  cache: { maxBytes: number; maxAgeSeconds: number };
  shutdown: { drainDelayMs: number; graceMs: number };
  logLevel: "debug" | "info" | "warn" | "error";
  /** JPEGs decoded at the full shrink-on-load step where sharp would take half (core/jpeg-shrink.ts). */
  jpegPreshrink: boolean;
  /** A full GC every so many JPEG images, when no request needs the main thread (core/gc-pacer.ts); 0: V8's own. */
  gcEveryImages: number;
}

const jsonText = (name: string) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `${name} is not valid JSON` });
        return z.NEVER;
      }
    });

const sourceSchema = z.discriminatedUnion("type", [
  z.strictObject({
    prefix: z.string().regex(/^[\w.-]*$/),
    type: z.literal("http"),
    origin: z.url({ protocol: /^https?$/ }),
    trustPrivateNetwork: z.boolean().optional(),
    svg: z.enum(svgPolicies).optional(),
  }),
  z.strictObject({
    prefix: z.string().regex(/^[\w.-]*$/),
    type: z.literal("s3"),
    bucket: z.string().min(3),
    keyPrefix: z.string().optional(),
    forcePathStyle: z.boolean().optional(),
    svg: z.enum(svgPolicies).optional(),
  }),
]);

const presetSchema = z.strictObject({
  width: z.number().int().min(1).optional(),
  height: z.number().int().min(1).optional(),
  quality: z.number().int().min(1).max(100).optional(),
  fit: z.enum(fits).optional(),
  gravity: z.enum(gravities).optional(),
  format: z.enum(requestFormats).optional(),
  dpr: z.number().min(1).max(4).optional(),
  blur: z.number().min(0.3).max(100).optional(),
});

const list = z
  .string()
  .optional()
  .transform((text) =>
    (text ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );
const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const cores = availableParallelism();

/**
 * Images processed at once: two per core, each on one libvips thread. A job is not all pixel work (its
 * set-up and JPEG write-out run on the libuv thread that drives it), so a second job per core fills those
 * gaps; on 2 cores this gave about 10% more throughput than one job per core at 8 concurrent requests
 * (README, benchmark). More than that only adds memory per request in flight.
 */
export const defaultConcurrency = (coreCount: number) => 2 * coreCount;

const envSchema = z.object({
  SCISSORS_HOST: z.string().default("0.0.0.0"),
  SCISSORS_PORT: int(8080),
  SCISSORS_SOURCES: jsonText("SCISSORS_SOURCES").pipe(z.array(sourceSchema).default([])),
  SCISSORS_ALLOWED_HOSTS: list,
  SCISSORS_SIGNING_KEYS: list,
  SCISSORS_PRESETS: jsonText("SCISSORS_PRESETS").pipe(z.record(z.string().regex(/^[\w-]+$/), presetSchema).default({})),
  // Replaced by the per-source `svg` setting; refused so that a deployment still setting it finds out.
  SCISSORS_SVG: z
    .undefined({ message: 'SCISSORS_SVG is gone: SVG is refused unless a source sets "svg": "rasterize"' })
    .optional(),
  // One render at a time is enough for the occasional diagram, and bounds what hostile SVGs can hold.
  SCISSORS_SVG_RENDERERS: int(1, 1),
  SCISSORS_SVG_MAX_RSS_MIB: int(512, 64),
  // SVG is text: 2 MiB holds a large diagram. It also bounds what the SVGs waiting for a renderer hold.
  SCISSORS_SVG_MAX_BYTES: int(2 * 1024 * 1024, 1),
  // Nice 10 gives a busy renderer about a tenth of a core that raster images want, and any idle CPU.
  SCISSORS_SVG_NICE: z.coerce.number().int().min(0).max(19).default(10),
  SCISSORS_MAX_URL_BYTES: int(8192, 256),
  SCISSORS_MAX_SOURCE_BYTES: int(20 * 1024 * 1024, 1),
  // sharp's default is 268 MP, a 1 GB decode; 40 MP covers any camera photo a blog would serve.
  SCISSORS_MAX_INPUT_PIXELS: int(40_000_000, 1),
  SCISSORS_MAX_FRAMES: int(100, 1),
  SCISSORS_MAX_DIMENSION: int(4096, 1),
  SCISSORS_MAX_REDIRECTS: int(3),
  SCISSORS_DOWNLOAD_TIMEOUT_MS: int(10_000, 1),
  SCISSORS_PROCESSING_TIMEOUT_MS: int(10_000, 1),
  SCISSORS_RESPONSE_TIMEOUT_MS: int(30_000, 1),
  SCISSORS_CONCURRENCY: int(defaultConcurrency(cores), 1),
  SCISSORS_QUEUE_SIZE: int(cores * 32),
  SCISSORS_QUEUE_WAIT_MS: int(10_000, 1),
  SCISSORS_DOWNLOAD_CONCURRENCY: int(cores * 16, 1),
  SCISSORS_CACHE_BYTES: int(0),
  SCISSORS_CACHE_MAX_AGE: int(86_400),
  SCISSORS_DRAIN_DELAY_MS: int(5_000),
  SCISSORS_SHUTDOWN_GRACE_MS: int(25_000),
  SCISSORS_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // Off only to compare with sharp's own choice (the bench does).
  SCISSORS_JPEG_PRESHRINK: z.enum(["on", "off"]).default("on"),
  SCISSORS_GC_EVERY_IMAGES: int(128),
});

/** Parses the environment once at start; a bad setting stops the process with the setting's name. */
export function loadConfig(env: NodeJS.ProcessEnv): ScissorsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid scissors configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    host: e.SCISSORS_HOST,
    port: e.SCISSORS_PORT,
    sources: e.SCISSORS_SOURCES,
    allowedHosts: e.SCISSORS_ALLOWED_HOSTS,
    signingKeys: e.SCISSORS_SIGNING_KEYS,
    presets: e.SCISSORS_PRESETS,
    svg: {
      renderers: e.SCISSORS_SVG_RENDERERS,
      maxRssMiB: e.SCISSORS_SVG_MAX_RSS_MIB,
      nice: e.SCISSORS_SVG_NICE,
      maxBytes: e.SCISSORS_SVG_MAX_BYTES,
    },
    maxUrlBytes: e.SCISSORS_MAX_URL_BYTES,
    limits: {
      maxSourceBytes: e.SCISSORS_MAX_SOURCE_BYTES,
      maxInputPixels: e.SCISSORS_MAX_INPUT_PIXELS,
      maxFrames: e.SCISSORS_MAX_FRAMES,
      maxDimension: e.SCISSORS_MAX_DIMENSION,
      maxRedirects: e.SCISSORS_MAX_REDIRECTS,
    },
    timeouts: {
      downloadMs: e.SCISSORS_DOWNLOAD_TIMEOUT_MS,
      processingMs: e.SCISSORS_PROCESSING_TIMEOUT_MS,
      responseMs: e.SCISSORS_RESPONSE_TIMEOUT_MS,
    },
    concurrency: {
      processing: e.SCISSORS_CONCURRENCY,
      queue: e.SCISSORS_QUEUE_SIZE,
      queueWaitMs: e.SCISSORS_QUEUE_WAIT_MS,
      downloads: e.SCISSORS_DOWNLOAD_CONCURRENCY,
    },
    cache: { maxBytes: e.SCISSORS_CACHE_BYTES, maxAgeSeconds: e.SCISSORS_CACHE_MAX_AGE },
    shutdown: { drainDelayMs: e.SCISSORS_DRAIN_DELAY_MS, graceMs: e.SCISSORS_SHUTDOWN_GRACE_MS },
    logLevel: e.SCISSORS_LOG_LEVEL,
    jpegPreshrink: e.SCISSORS_JPEG_PRESHRINK === "on",
    gcEveryImages: e.SCISSORS_GC_EVERY_IMAGES,
  };
}
