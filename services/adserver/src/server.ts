// Entry point: configuration from the environment, graceful shutdown on SIGTERM or SIGINT.
import { startAdServer } from "./ad-server.ts";
import { loadConfig } from "./config.ts";

const config = loadConfig(process.env);
const running = await startAdServer(config);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    running.log.info("signal received", { signal });
    running.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        running.log.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  });
}
