import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { functionRuntime } from "../../../stacks/function-defaults.ts";
import { deployedFunctionEnv } from "../../fixtures/function-env.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");
const out = mkdtempSync(join(tmpdir(), "harbormaster-bundle-"));
const entries = readdirSync(join(root, "functions")).filter((file) => file.endsWith(".ts"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

// The environment a deployed function gets; each bundle parses its part at cold start.
const env = deployedFunctionEnv(out);

describe("bundling every Lambda function", () => {
  it("finds the entry points", () => {
    expect(entries).toContain("interruptions.ts");
  });

  it.each(entries)(
    "bundles %s into one ESM file that loads on the Lambda runtime's Node and exports a handler",
    async (entry) => {
      const outfile = join(out, entry.replace(/\.ts$/, ".mjs"));
      const result = await build({
        entryPoints: [join(root, "functions", entry)],
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: functionRuntime.esbuildTarget,
        // Some CommonJS dependencies call require(); ESM bundles need it defined, as SST's banner does.
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
        logLevel: "silent",
        metafile: true,
      });
      expect(result.errors).toEqual([]);
      const probe = `const m = await import(${JSON.stringify(outfile)}); if (typeof m.handler !== "function") process.exit(3);`;
      const { stderr } = await run(process.execPath, ["--input-type=module", "-e", probe], { env });
      expect(stderr).toBe("");
    },
    60_000, // esbuild and a cold Node start; slow when the machine is busy
  );
});
