// The service itself, started by main.ts. threadpool.ts comes first: it sizes libuv's pool before any use.
import "./threadpool.ts";
import { createLogger } from "./adapters/log.ts";
import { loadConfig } from "./config.ts";
import { createScissors } from "./server.ts";

const config = loadConfig(process.env);
const log = createLogger(config.logLevel);
// Renderers start with the service only where a source accepts SVG: otherwise none is ever needed, and
// an idle one would hold some 40 MiB of RSS.
const warmRenderers = config.sources.some((source) => source.svg === "rasterize");
const scissors = createScissors(config, log, { rendererEntry: process.argv[1] as string, warmRenderers });
const url = await scissors.listen();
log.info("listening", {
  url,
  concurrency: config.concurrency.processing,
  threadPool: Number(process.env.UV_THREADPOOL_SIZE),
  cache: config.cache.maxBytes > 0,
  svgRenderers: scissors.rendererPids(),
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info("signal received", { signal });
    scissors.shutdown().then(
      ({ rasterJobs }) => {
        if (rasterJobs === 0) process.exit(0);
        // exit() would wait for them (libuv joins its threads on the way out), so end as SIGKILL would.
        log.warn("raster jobs still running after the grace period, killing the process", { rasterJobs });
        process.kill(process.pid, "SIGKILL");
      },
      (error) => {
        log.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  });
}
