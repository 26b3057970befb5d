// Bundles each Lambda entry (functions/*.ts) as SST deploys it: one minified ESM file for node24.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { functionRuntime } from "../../../stacks/function-defaults.ts";

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** The largest contributors to the minified output, by npm package. */
  packages: { name: string; bytes: number }[];
}

const root = join(import.meta.dirname, "..", "..", "..");
// SST's banner: CommonJS dependencies call require(), which ESM bundles must define.
const banner = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export function entries(): string[] {
  return readdirSync(join(root, "functions"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.replace(/\.ts$/, ""));
}

export async function bundle(name: string, out: string): Promise<Bundle> {
  const file = join(out, `${name}.mjs`);
  const result = await build({
    entryPoints: [join(root, "functions", `${name}.ts`)],
    outfile: file,
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: functionRuntime.esbuildTarget,
    banner: { js: banner },
    logLevel: "silent",
    metafile: true,
  });
  const byPackage = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const key = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "(harbormaster)";
      byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  const packages = [...byPackage].map(([n, bytes]) => ({ name: n, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { ...measure(name, file), packages };
}

/** The physical limit: a handler that imports nothing. */
export function emptyHandler(out: string): Bundle {
  const file = join(out, "empty.mjs");
  writeFileSync(file, "export const handler = async () => ({});\n");
  return { ...measure("(empty handler)", file), packages: [] };
}

function measure(name: string, file: string) {
  return { name, file, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length };
}
