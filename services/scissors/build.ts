// Bundles Scissors into one ES module for production: `node services/scissors/build.ts [outfile]`
// (default services/scissors/dist/main.mjs). The Dockerfile, `npm start`, the process tests and the bench
// all run this bundle.
//
// Why a bundle, measured (services/scissors/README.md): run as TypeScript, Node loads its type stripper
// and some 150 separate zod modules; bundled and minified, the idle process holds 82 MiB instead of 117,
// peak RSS under load is 18 MiB lower, and the smaller heap makes each full GC cheaper.

import { join } from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;

/** One entry point to one self-contained .mjs; sharp and koffi (native) and the S3 SDK (loaded on first use) stay outside. */
export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    // Whitespace and syntax only: identifiers keep their names, so stack traces in the logs stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    external: ["sharp", "koffi", "@aws-sdk/client-s3"],
    // CommonJS dependencies (prom-client) call require(); an ES module has none of its own.
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
    logLevel: "warning",
  });
}

/**
 * The Node flags the bundle runs with, as the Dockerfile's CMD and `npm start` spell them out too: the old
 * generation starts at 64 MB (a full mark every 40-60 images instead of every 12-20), and the young one
 * stays at 2 MB a half (dead download buffers freed by a scavenge within a few requests instead of waiting
 * for a full mark: 20-30 MiB less peak RSS; services/scissors/README.md, "Peak RSS"). --expose-gc lets the
 * service pace full GCs itself (core/gc-pacer.ts).
 */
export const nodeFlags = ["--initial-old-space-size=64", "--max-semi-space-size=2", "--expose-gc"];

export const defaultOutfile = join(here, "dist", "main.mjs");

if (process.argv[1] === import.meta.filename) {
  const outfile = process.argv[2] ?? defaultOutfile;
  const started = performance.now();
  await bundle(join(here, "src", "main.ts"), outfile);
  process.stderr.write(`scissors: bundled into ${outfile} in ${Math.round(performance.now() - started)} ms\n`);
}
