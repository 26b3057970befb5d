// Entry point: `node services/scissors/src/main.ts`. Configuration comes from SCISSORS_* variables.
import "./threadpool.ts";
import { createLogger } from "./adapters/log.ts";
import { loadConfig } from "./config.ts";
import { createScissors } from "./server.ts";

const config = loadConfig(process.env);
const log = createLogger(config.logLevel);
const scissors = createScissors(config, log);
const url = await scissors.listen();
log.info("listening", {
  url,
  concurrency: config.concurrency.processing,
  threadPool: Number(process.env.UV_THREADPOOL_SIZE),
  cache: config.cache.maxBytes > 0,
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info("signal received", { signal });
    scissors.shutdown().then(
      () => process.exit(0),
      (error) => {
        log.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  });
}
