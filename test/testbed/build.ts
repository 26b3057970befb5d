// Builds (or finds in the cache) every component the testbed runs, with progress on stderr.
import { buildAll } from "./build/index.ts";
import { TestbedError } from "./errors.ts";
import { cacheRoot } from "./paths.ts";
import { stderrProgress } from "./progress.ts";

try {
  const builds = await buildAll(stderrProgress, cacheRoot());
  stderrProgress(
    "testbed",
    `components ready: kubernetes ${builds.kubernetes.version}, kwok ${builds.kwok.version}, moto ${builds.moto.version}`,
  );
} catch (error) {
  const message = error instanceof TestbedError ? error.message : String(error);
  process.stderr.write(`testbed build failed: ${message}\n`);
  process.exit(1);
}
