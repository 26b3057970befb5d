import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { functionBundling, runtimeProvidedPackages } from "../../../stacks/function-defaults.ts";
import { bundle, entries, outputDir, sstBuildOptions } from "../../bench/cold-start/bundle.ts";
import { deployedFunctionEnv } from "../../fixtures/function-env.ts";

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "harbormaster-bundle-"));
// External packages resolve to the repository's node_modules, as the runtime's resolve to its own.
const out = outputDir(join(tmp, "out"));
const names = entries();
/** The target for every function: 1 MB minified. */
const sizeTarget = 1024 * 1024;

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The environment a deployed function gets; each bundle parses its part at cold start.
const env = deployedFunctionEnv(tmp);

const providedByRuntime = (path: string) =>
  runtimeProvidedPackages.some((pattern) => new RegExp(`^${pattern.replace("*", "[^/]+")}(/|$)`).test(path));

describe("bundling every Lambda function as SST deploys it", () => {
  it("finds the entry points", () => {
    expect(names).toContain("interruptions");
  });

  it("uses the stacks' own settings: minified ESM, the runtime's SDK left out, SST's fixed options", () => {
    const options = sstBuildOptions("entry.ts", "out.mjs");
    expect(options).toMatchObject({ format: "esm", minify: true, keepNames: true, mainFields: ["module", "main"] });
    expect(options.external).toEqual(expect.arrayContaining(functionBundling.esbuild.external));
    expect(functionBundling.esbuild.external).toEqual(["@aws-sdk/*", "@smithy/*"]);
  });

  it("imports zod only through functions/core/zod.ts, whose mini build tree-shakes (classic zod is 460 KB)", () => {
    const functions = join(import.meta.dirname, "..", "..", "..", "functions");
    const classic = readdirSync(functions, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && file !== join("core", "zod.ts"))
      .filter((file) => /from "zod(\/v4)?"/.test(readFileSync(join(functions, file), "utf8")));
    expect(classic).toEqual([]);
  });

  it.each(names)(
    "bundles %s into one ESM file of at most 1 MB that imports only what the runtime provides, loads on the runtime's Node and exports a handler",
    async (name) => {
      const result = await bundle(name, out);
      expect(result.bytes, `${name} minified`).toBeLessThanOrEqual(sizeTarget);
      // client-node brings undici and its generated models (about 2 MB); the functions use KubeApi instead.
      const packages = result.packages.map((p) => p.name);
      for (const heavy of ["@kubernetes/client-node", "undici", "ws"]) expect(packages, name).not.toContain(heavy);
      for (const external of result.externals)
        expect(external, `${name} imports ${external}`).toSatisfy(providedByRuntime);
      const probe = `const m = await import(${JSON.stringify(result.file)}); if (typeof m.handler !== "function") process.exit(3);`;
      const { stderr } = await run(process.execPath, ["--input-type=module", "-e", probe], { env });
      expect(stderr).toBe("");
    },
    60_000, // esbuild and a cold Node start; slow when the machine is busy
  );
});
