// Bundles each Lambda entry (functions/*.ts) exactly as SST does on deploy, from the stacks' own `nodejs`
// settings (stacks/function-defaults.ts). SST builds in Go (pkg/runtime/node/build.go in sst/sst); the
// options below are the ones it sets there, so a change to the stacks' settings shows up here too.

import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { functionBundling } from "../../../stacks/function-defaults.ts";

export type Bundling = typeof functionBundling & { install?: string[] };

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** The largest contributors to the minified output, by npm package ("(harbormaster)": our code). */
  packages: { name: string; bytes: number }[];
  /**
   * What the bundle imports statically from outside itself (not Node's builtins): the runtime must
   * provide each, or the import fails at cold start. Lazy require() calls in a try (ws's optional native
   * addons) are not counted.
   */
  externals: string[];
}

const root = join(import.meta.dirname, "..", "..", "..");

// SST's banner for ESM: CommonJS dependencies call require() and read __dirname.
const sstBanner = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
  "",
].join("\n");
// Always external in SST: native modules that cannot be bundled.
const sstForceExternal = ["sharp", "pg-native"];

/**
 * SST's esbuild options for a deployed (not `sst dev`) Node function. Its target is always esnext: SST
 * reads `esbuild.target` into esbuild's numeric enum, so a string target is dropped.
 */
export function sstBuildOptions(entry: string, outfile: string, nodejs: Bundling = functionBundling): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    platform: "node",
    bundle: true,
    metafile: true,
    write: true,
    format: nodejs.format,
    target: "esnext",
    mainFields: ["module", "main"],
    keepNames: true,
    minify: nodejs.minify,
    sourcemap: false,
    external: [...sstForceExternal, ...(nodejs.install ?? []), ...nodejs.esbuild.external],
    banner: { js: sstBanner },
    logLevel: "silent",
  };
}

/** The same settings with the AWS SDK inside the bundle: what the stacks deployed before. */
export const sdkBundled: Bundling = { ...functionBundling, esbuild: { ...functionBundling.esbuild, external: [] } };

export function entries(): string[] {
  return readdirSync(join(root, "functions"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.replace(/\.ts$/, ""));
}

/**
 * An output folder whose imports of external packages resolve to the repository's node_modules, as the
 * runtime resolves them to /var/runtime/node_modules: the SDK is then loaded from its package files.
 */
export function outputDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

export async function bundle(name: string, out: string, nodejs: Bundling = functionBundling): Promise<Bundle> {
  const file = join(out, `${name}.mjs`);
  const result = await build(sstBuildOptions(join(root, "functions", `${name}.ts`), file, nodejs));
  return { ...measure(name, file), packages: byPackage(result.metafile), externals: externals(result.metafile) };
}

function packageOf(path: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
}

function byPackage(metafile: Metafile | undefined): Bundle["packages"] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile?.outputs ?? {})) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const key = packageOf(path) ?? "(harbormaster)";
      sizes.set(key, (sizes.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return [...sizes].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

function externals(metafile: Metafile | undefined): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile?.outputs ?? {}))
    for (const imported of output.imports)
      if (imported.external && imported.kind === "import-statement" && !isBuiltin(imported.path))
        found.add(imported.path);
  return [...found].sort();
}

/** The physical limit: a handler that imports nothing. */
export function emptyHandler(out: string): Bundle {
  const file = join(out, "empty.mjs");
  writeFileSync(file, "export const handler = async () => ({});\n");
  return { ...measure("(empty handler)", file), packages: [], externals: [] };
}

function measure(name: string, file: string) {
  return { name, file, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length };
}
