import { type FetchedSource, fetchHttpSource } from "./adapters/http-source.ts";
import type { Metrics } from "./adapters/metrics.ts";
import { releaseBuffer } from "./adapters/release-buffer.ts";
import { fetchS3Source } from "./adapters/s3-source.ts";
import type { SvgRenderers } from "./adapters/svg-renderers.ts";
import { type TransformResult, transform } from "./adapters/transform.ts";
import type { ScissorsConfig } from "./config.ts";
import { deadline } from "./core/deadline.ts";
import { forbidden, timedOut, tooLarge, unsupported } from "./core/errors.ts";
import { contentIdentity, matchesIfNoneMatch, resultEtag } from "./core/etag.ts";
import { gcPacer } from "./core/gc-pacer.ts";
import type { Limiter } from "./core/limiter.ts";
import { accepts, contentTypes, negotiateFormat } from "./core/negotiate.ts";
import { canonicalOptions, parseOptions, type TransformOptions } from "./core/options.ts";
import { type CachedResult, type ResultCache, SingleFlight } from "./core/result-cache.ts";
import { verifySignature } from "./core/signature.ts";
import { type SourceFormat, sniffFormat } from "./core/sniff.ts";
import { type FetchPolicy, resolveSource, type SourceRef } from "./core/source.ts";
import { defaultSvgLimits } from "./core/svg/limits.ts";
import { checkElementTags } from "./core/svg/prescan.ts";

export interface ImageRequest {
  path: string;
  params: URLSearchParams;
  accept: string;
  ifNoneMatch?: string;
  signal: AbortSignal;
}

export type ImageAnswer =
  | {
      kind: "image";
      result: CachedResult;
      cache: "hit" | "shared" | "miss";
      /** Call once the body has been handed to the socket: frees it when no other answer still sends it. */
      release?: () => void;
    }
  | { kind: "not-modified"; etag: string; varyAccept: boolean };

type Produced = CachedResult | { notModified: string; varyAccept: boolean };

export interface ImageDeps {
  config: ScissorsConfig;
  policy: FetchPolicy;
  processing: Limiter;
  downloads: Limiter;
  cache?: ResultCache;
  metrics: Metrics;
  /** SVG renders in its own processes, behind its own limiter: hostile SVGs never hold a raster slot. */
  svg: { limiter: Limiter; renderers: SvgRenderers };
}

// Accept matters only for format=auto, and only through which of avif and webp it admits.
function acceptClass(format: string | undefined, accept: string): string {
  if (format !== "auto") return format ?? "source";
  return `auto:${accepts(accept, "image/avif") ? "avif" : ""}${accepts(accept, "image/webp") ? "webp" : ""}`;
}

/** SVG is refused unless its source opted in; one too big or with too many elements, before it is queued. */
function screenSvg(format: SourceFormat, ref: SourceRef, bytes: Buffer, maxBytes: number): void {
  if (format !== "svg") return;
  if (ref.svg !== "rasterize") throw unsupported("SVG sources are not accepted from this origin");
  if (bytes.length > maxBytes) throw tooLarge(`SVG is ${bytes.length} bytes, more than ${maxBytes}`);
  checkElementTags(bytes, defaultSvgLimits);
}

/** Parses, checks and answers one image request: from the cache, from an identical request in flight, or anew. */
export function createImageHandler(deps: ImageDeps) {
  const { config, policy, processing, downloads, cache, metrics, svg } = deps;
  const flights = new SingleFlight<Produced>();
  // Answers not kept by a result cache, and how many responses still send each. Every response to one
  // flight takes its share in the same microtask turn, when the flight settles, so none is freed early.
  const senders = new WeakMap<CachedResult, number>();
  const lend = (result: CachedResult): (() => void) => {
    senders.set(result, (senders.get(result) ?? 0) + 1);
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      const left = (senders.get(result) ?? 1) - 1;
      if (left > 0) return void senders.set(result, left);
      senders.delete(result);
      // Freed now rather than at the next full GC: 250 answers a second of 13-31 KB each made most of the
      // RSS above idle once the JPEG path stopped bringing full GCs (README, "p99 at c=2").
      releaseBuffer(result.body);
    };
  };
  const settings = { sources: config.sources, allowedHosts: config.allowedHosts };
  // Full GCs paced by images (core/gc-pacer.ts) where Node runs with --expose-gc (build.ts' nodeFlags).
  const collect = (globalThis as { gc?: () => void }).gc;
  const pacer = gcPacer(config.gcEveryImages);
  const offThread =
    collect && config.gcEveryImages > 0
      ? {
          // Requests downloading or processing may need the main thread; those inside libvips do not.
          enter: () => {
            if (pacer.enter(processing.active + downloads.active)) collect();
          },
          leave: () => pacer.leave(),
        }
      : undefined;
  const transformSettings = {
    ...config.limits,
    timeoutMs: config.timeouts.processingMs,
    jpegPreshrink: config.jpegPreshrink,
  };
  // Raster only: the SVG renderers get transformSettings over IPC, which cannot carry functions.
  const rasterSettings = { ...transformSettings, offThread };

  const timed = async <T>(phase: "queue" | "download" | "processing", work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      metrics.phase(phase, (performance.now() - started) / 1000);
    }
  };

  const download = (ref: SourceRef, signal: AbortSignal): Promise<FetchedSource> =>
    downloads.run(
      () =>
        timed("download", () =>
          ref.type === "http"
            ? fetchHttpSource(
                ref.url,
                policy,
                {
                  maxBytes: config.limits.maxSourceBytes,
                  maxRedirects: config.limits.maxRedirects,
                  timeoutMs: config.timeouts.downloadMs,
                },
                signal,
              )
            : fetchS3Source(
                ref,
                { maxBytes: config.limits.maxSourceBytes, timeoutMs: config.timeouts.downloadMs },
                signal,
              ),
        ),
      signal,
    );

  async function produce(
    request: ImageRequest,
    options: TransformOptions,
    ref: SourceRef,
    cacheKey: string,
    shortcut: boolean,
    signal: AbortSignal,
  ): Promise<Produced> {
    const source = await download(ref, signal);
    const sourceFormat = sniffFormat(source.bytes);
    if (!sourceFormat) throw unsupported("source is not a JPEG, PNG, WebP, GIF, AVIF or SVG image");
    screenSvg(sourceFormat, ref, source.bytes, config.svg.maxBytes);
    const { format, varies } = negotiateFormat(options.format, sourceFormat, request.accept);
    const identity = source.validator ?? contentIdentity(source.bytes);
    const etag = resultEtag(identity, canonicalOptions(options, format));
    // The client has this very output: answer 304 before a pixel is decoded.
    if (shortcut && matchesIfNoneMatch(request.ifNoneMatch, etag)) return { notModified: etag, varyAccept: varies };
    const queuedAt = performance.now();
    const convert = (): Promise<TransformResult> => {
      metrics.phase("queue", (performance.now() - queuedAt) / 1000);
      return timed("processing", () =>
        sourceFormat === "svg"
          ? svg.renderers.render({ source: source.bytes, options, format, settings: transformSettings }, signal)
          : // libvips has read the last of the source when this settles: free it now, not at the next full GC.
            transform(source.bytes, sourceFormat, options, format, rasterSettings).finally(() =>
              releaseBuffer(source.bytes),
            ),
      );
    };
    const output = await (sourceFormat === "svg" ? svg.limiter : processing).run(convert, signal);
    const result: CachedResult = { body: output.body, etag, contentType: contentTypes[format], varyAccept: varies };
    cache?.set(cacheKey, result);
    return result;
  }

  return async function handle(request: ImageRequest): Promise<ImageAnswer> {
    if (config.signingKeys.length > 0) {
      const check = verifySignature(config.signingKeys, request.path, request.params, Date.now() / 1000);
      if (!check.ok) throw forbidden("bad_signature", check.reason);
    }
    // Options are parsed before anything else, so a bad query is a 400 even when the source is missing.
    const options = parseOptions(request.params, config.presets, config.limits);
    const ref = resolveSource(request.path, settings, policy);
    const key = `${ref.cacheKey}|${canonicalOptions(options, "jpeg")}|q=${options.quality ?? ""}|${acceptClass(options.format, request.accept)}`;
    const cached = cache?.get(key);
    if (cached) {
      metrics.cache("hit");
      if (matchesIfNoneMatch(request.ifNoneMatch, cached.etag)) {
        return { kind: "not-modified", etag: cached.etag, varyAccept: cached.varyAccept };
      }
      return { kind: "image", result: cached, cache: "hit" };
    }
    // A conditional request runs on its own so it can stop at the 304; everyone else shares one flight.
    const conditional = request.ifNoneMatch !== undefined;
    const flight = conditional
      ? { promise: produce(request, options, ref, key, true, request.signal), shared: false }
      : // A shared flight must not die with the first client's connection; the response deadline bounds it.
        flights.run(key, async () => {
          const limit = deadline(config.timeouts.responseMs, () => timedOut("shared request took too long"));
          try {
            return await produce(request, options, ref, key, false, limit.signal);
          } finally {
            limit.clear();
          }
        });
    metrics.cache(flight.shared ? "shared" : "miss");
    const produced = await flight.promise;
    if ("notModified" in produced) {
      return { kind: "not-modified", etag: produced.notModified, varyAccept: produced.varyAccept };
    }
    if (matchesIfNoneMatch(request.ifNoneMatch, produced.etag)) {
      return { kind: "not-modified", etag: produced.etag, varyAccept: produced.varyAccept };
    }
    const release = cache ? undefined : lend(produced);
    return { kind: "image", result: produced, cache: flight.shared ? "shared" : "miss", release };
  };
}
