// Builds aws-node-termination-handler (NTH), the interruption benchmark's peer, from the Go module proxy.
// The binary is cached outside the repository, keyed by version, and built only when missing.
//
// Run alone: /work/main/node_modules/.bin/node test/bench/interruption/nth/build.ts

import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../../../testbed/build/cache-entry.ts";
import { goEnv, isPackageLine } from "../../../testbed/build/go-env.ts";
import { TestbedError } from "../../../testbed/errors.ts";
import { cacheRoot } from "../../../testbed/paths.ts";
import { throttledCounter } from "../../../testbed/progress.ts";
import { runLogged } from "../../../testbed/run.ts";

/** The newest NTH release the Go module proxy serves here (v1.25.2–v1.25.4 exist upstream but answer 403). */
export const nthVersion = "v1.25.1";

/** NTH's main package: cmd/node-termination-handler.go (its Makefile builds that file with -tags nth$GOOS). */
const mainPackage = "github.com/aws/aws-node-termination-handler/cmd";

const moduleDir = fileURLToPath(new URL(".", import.meta.url));

export interface NthBuild {
  binary: string;
  version: string;
}

export async function buildNth(progress: (msg: string) => void = defaultProgress): Promise<NthBuild> {
  const root = cacheRoot();
  const version = nthVersion;
  const dir = join(root, `nth-${version}`);
  const binary = join(dir, "bin", "node-termination-handler");
  const logPath = join(root, `nth-${version}.build.log`);
  mkdirSync(root, { recursive: true });
  const report = (_component: string, message: string) => progress(message);

  await ensureBuilt({ component: "nth", dir, logPath }, [binary], report, async () => {
    // The wrapper module (go.mod + go.sum next to this file) pins the release; build from a copy in the cache
    // so `-mod=mod` never rewrites the committed files.
    const src = join(dir, "src");
    mkdirSync(src, { recursive: true });
    mkdirSync(join(dir, "bin"), { recursive: true });
    for (const file of ["go.mod", "go.sum"]) copyFileSync(join(moduleDir, file), join(src, file));
    const run = { component: "nth", logPath, cwd: src, env: goEnv() };

    progress(`downloading modules for aws-node-termination-handler ${version}`);
    await runLogged("go", ["mod", "download"], run);
    let total = 0;
    await runLogged("go", ["list", "-deps", mainPackage], { ...run, onLine: () => total++ });
    const counter = throttledCounter((count) =>
      progress(`compiled ${count}/${total} packages (${Math.round((100 * count) / Math.max(total, 1))}%)`),
    );
    let compiled = 0;
    const args = ["build", "-v", "-trimpath", "-tags", "nthlinux", "-ldflags", "-s -w", "-o", binary, mainPackage];
    await runLogged("go", args, {
      ...run,
      onLine: (line) => {
        if (isPackageLine(line)) counter(++compiled);
      },
    });
  }).catch((error: unknown) => {
    if (error instanceof TestbedError) throw error; // already "nth: ... (log: <build log>)"
    throw new TestbedError("nth", `build failed: ${String(error)}`, { logPath, cause: error });
  });
  return { binary, version };
}

function defaultProgress(message: string): void {
  process.stderr.write(`[bench] nth: ${message}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { binary, version } = await buildNth();
    process.stdout.write(`aws-node-termination-handler ${version}: ${binary}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
