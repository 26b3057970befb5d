import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "./adapters/log.ts";
import { createMetrics } from "./adapters/metrics.ts";
import { SvgRenderers } from "./adapters/svg-renderers.ts";
import type { ScissorsConfig } from "./config.ts";
import { deadline } from "./core/deadline.ts";
import { ScissorsError, timedOut } from "./core/errors.ts";
import { Limiter } from "./core/limiter.ts";
import { checkRequestHead } from "./core/request-limits.ts";
import { ResultCache } from "./core/result-cache.ts";
import { fetchPolicy } from "./core/source.ts";
import { createImageHandler, type ImageAnswer } from "./images.ts";

export interface Scissors {
  server: Server;
  listen(): Promise<string>;
  /**
   * SIGTERM: readiness fails at once, then the listener closes and the requests in flight finish. Once the
   * grace period is over the SVG renderers are killed, stuck or not. Resolves to the raster jobs still
   * running in this process's thread pool, which would hold up a normal exit.
   */
  shutdown(): Promise<{ rasterJobs: number }>;
  /** Process ids of the SVG renderers. */
  rendererPids(): number[];
}

export interface ScissorsRuntime {
  /** The entry point the SVG renderers run (main.ts or its bundle, with `--svg-renderer`). */
  rendererEntry: string;
  /** Start the renderers with the service instead of at the first SVG. */
  warmRenderers?: boolean;
}

function splitUrl(raw: string): { path: string; params: URLSearchParams } {
  // Not `new URL()`: it would fold the `//` of an absolute source URL in the path.
  const mark = raw.indexOf("?");
  return mark < 0
    ? { path: raw, params: new URLSearchParams() }
    : { path: raw.slice(0, mark), params: new URLSearchParams(raw.slice(mark + 1)) };
}

export function createScissors(config: ScissorsConfig, log: Logger, runtime: ScissorsRuntime): Scissors {
  const processing = new Limiter(
    config.concurrency.processing,
    config.concurrency.queue,
    config.concurrency.queueWaitMs,
  );
  const downloads = new Limiter(config.concurrency.downloads, config.concurrency.queue, config.concurrency.queueWaitMs);
  const metrics = createMetrics(() => ({
    queueDepth: processing.waiting,
    processing: processing.active,
    downloads: downloads.active,
  }));
  const cache = config.cache.maxBytes > 0 ? new ResultCache(config.cache.maxBytes) : undefined;
  const policy = fetchPolicy({ sources: config.sources, allowedHosts: config.allowedHosts });
  const renderers = new SvgRenderers(
    {
      entry: runtime.rendererEntry,
      processes: config.svg.renderers,
      timeoutMs: config.timeouts.processingMs,
      maxRssBytes: config.svg.maxRssMiB * 2 ** 20,
      nice: config.svg.nice,
    },
    log,
  );
  // SVGs wait for a renderer rather than being refused at once: a client refused at once sends the next
  // request at once, and a flood of those costs more than the waiting (at most 32 × SVG max bytes each).
  const svgLimiter = new Limiter(config.svg.renderers, 32 * config.svg.renderers, config.concurrency.queueWaitMs);
  const svg = { limiter: svgLimiter, renderers };
  const handleImage = createImageHandler({ config, policy, processing, downloads, cache, metrics, svg });
  let draining = false;
  let inFlight = 0;

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer | string) {
    if (res.headersSent || res.destroyed) return;
    if (draining) headers.connection = "close";
    res.writeHead(status, headers);
    res.end(res.req.method === "HEAD" ? undefined : body);
  }

  function sendError(res: ServerResponse, error: unknown, path: string): number {
    const known = error instanceof ScissorsError ? error : undefined;
    const status = known?.status ?? 500;
    const code = known?.code ?? "internal";
    metrics.error(code);
    if (!known) log.error("unexpected error", { path, error: String((error as Error)?.stack ?? error) });
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
    if (status === 503) headers["retry-after"] = "1";
    send(res, status, headers, JSON.stringify({ error: code, message: known?.message ?? "internal error" }));
    return status;
  }

  function answer(res: ServerResponse, result: ImageAnswer): number {
    const common: Record<string, string> = {
      "cache-control": `public, max-age=${config.cache.maxAgeSeconds}`,
      "x-content-type-options": "nosniff",
    };
    if (result.kind === "not-modified") {
      send(res, 304, { ...common, etag: result.etag, ...(result.varyAccept ? { vary: "Accept" } : {}) });
      return 304;
    }
    const { body, etag, contentType, varyAccept } = result.result;
    // Only once the body is with the OS: a response cut short leaves it to the GC.
    const { release } = result;
    if (release) res.once("finish", release);
    send(
      res,
      200,
      {
        ...common,
        "content-type": contentType,
        "content-length": String(body.length),
        etag,
        "x-scissors-cache": result.cache,
        ...(varyAccept ? { vary: "Accept" } : {}),
      },
      body,
    );
    return 200;
  }

  async function image(req: IncomingMessage, res: ServerResponse, path: string, params: URLSearchParams) {
    const gone = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) gone.abort(new Error("client went away"));
    });
    const ms = config.timeouts.responseMs;
    const limit = deadline(ms, () => timedOut(`no answer within ${ms} ms`), gone.signal);
    try {
      const work = handleImage({
        path,
        params,
        accept: req.headers.accept ?? "",
        ifNoneMatch: req.headers["if-none-match"],
        signal: limit.signal,
      });
      const timeout = new Promise<never>((_, reject) => {
        const fail = () => limit.expired && reject(limit.signal.reason);
        if (limit.signal.aborted) fail();
        else limit.signal.addEventListener("abort", fail, { once: true });
      });
      return answer(res, await Promise.race([work, timeout]));
    } catch (error) {
      return sendError(res, error, path);
    } finally {
      limit.clear();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<{ route: string; status: number }> {
    try {
      checkRequestHead(
        {
          target: req.url ?? "/",
          contentLength: req.headers["content-length"],
          transferEncoding: req.headers["transfer-encoding"],
        },
        config.maxUrlBytes,
      );
    } catch (error) {
      // The body, if any, is never read: the connection closes after the answer.
      res.shouldKeepAlive = false;
      return { route: "other", status: sendError(res, error, "") };
    }
    const { path, params } = splitUrl(req.url ?? "/");
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, { allow: "GET, HEAD", "content-type": "text/plain" }, "method not allowed\n");
      return { route: "other", status: 405 };
    }
    if (path === "/server/avail") {
      const status = draining ? 503 : 200;
      send(
        res,
        status,
        { "content-type": "text/plain", "cache-control": "no-store" },
        draining ? "draining\n" : "ok\n",
      );
      return { route: "avail", status };
    }
    if (path === "/server/alive") {
      send(res, 200, { "content-type": "text/plain", "cache-control": "no-store" }, "ok\n");
      return { route: "alive", status: 200 };
    }
    if (path === "/metrics") {
      const text = await metrics.registry.metrics();
      send(res, 200, { "content-type": metrics.registry.contentType }, text);
      return { route: "metrics", status: 200 };
    }
    if (path === "/favicon.ico" || path === "/") {
      send(res, 404, { "content-type": "text/plain" }, "not found\n");
      return { route: "other", status: 404 };
    }
    return { route: "image", status: await image(req, res, path, params) };
  }

  const server = process.getBuiltinModule("node:http").createServer((req, res) => {
    const started = performance.now();
    inFlight++;
    route(req, res)
      .catch((error) => ({ route: "other", status: sendError(res, error, req.url ?? "") }))
      .then(({ route: name, status }) => {
        const seconds = (performance.now() - started) / 1000;
        metrics.request(name, status, seconds);
        if (name === "image" || status >= 500) {
          const path = (req.url ?? "").replace(/([?&]sig=)[^&]*/, "$1…");
          log.info("request", {
            method: req.method,
            path,
            status,
            ms: Math.round(seconds * 1000),
            bytes: res.getHeader("content-length"),
          });
        }
      })
      .finally(() => inFlight--);
  });
  // Slow or idle clients cannot hold sockets for ever; keep-alive outlives a load balancer's idle timeout.
  server.headersTimeout = 10_000;
  server.requestTimeout = config.timeouts.responseMs + 5_000;
  server.keepAliveTimeout = 65_000;

  return {
    server,
    listen: async () => {
      if (runtime.warmRenderers) await renderers.warm();
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          const { address, port } = server.address() as AddressInfo;
          const host = address.includes(":") ? `[${address}]` : address;
          resolve(`http://${host}:${port}`);
        });
      });
    },
    async shutdown() {
      if (draining) return { rasterJobs: processing.active };
      draining = true;
      log.info("draining: readiness now fails", { inFlight, delayMs: config.shutdown.drainDelayMs });
      // Endpoints controllers and load balancers need a moment to see the failing probe and route away.
      await new Promise((resolve) => setTimeout(resolve, config.shutdown.drainDelayMs));
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      const giveUp = new Promise((resolve) => setTimeout(resolve, config.shutdown.graceMs).unref());
      await Promise.race([closed, giveUp]);
      if (inFlight > 0) log.warn("grace period over, closing connections", { inFlight });
      renderers.close();
      server.closeAllConnections();
      log.info("stopped", { rasterJobs: processing.active });
      return { rasterJobs: processing.active };
    },
    rendererPids: () => renderers.pids,
  };
}
