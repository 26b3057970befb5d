// Builds sst.config.ts into the program `sst deploy` hands to Pulumi, with the options SST's CLI uses
// (sst/sst pkg/js/js.go `Build` and pkg/project/stack.go, the same in the 4.17.1 binary): the entry
// imports platform/src/auto/run.ts and the config; `$app`, `$cli` and `$dev` are defined as JSON;
// platform/src/shim/run.js is injected for `$interpolate`, `$resolve`, `$jsonParse` and the rest; every
// file outside .sst gets the provider imports (`aws`) and `sst` (the platform's own components) prepended.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";

export interface EvalInput {
  root: string;
  /** What SST's CLI passes as `$app`: the config's `app()` result plus the stage and providers. */
  app: Record<string, unknown>;
  /** `$cli`: the command and the paths the platform's components write to and read from. */
  cli: { command: string; dev: boolean; paths: Record<"home" | "root" | "work" | "platform", string> };
  outfile: string;
}

const banner = [
  "import { createRequire as topLevelCreateRequire } from 'module';",
  "const require = topLevelCreateRequire(import.meta.url);",
  'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"',
  "const __filename = topLevelFileUrlToPath(import.meta.url)",
  'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
].join("\n");

/** SST's InjectGlobals plugin: the provider namespaces as if imported at the top of every user file. */
function injectGlobals(globals: string): Plugin {
  return {
    name: "InjectGlobals",
    setup(b) {
      b.onLoad({ filter: /\.(js|ts|jsx|tsx)$/ }, (args) => {
        const contents = readFileSync(args.path, "utf8");
        const loader = args.path.endsWith(".ts") ? "ts" : args.path.endsWith("x") ? "tsx" : "js";
        return { contents: args.path.includes(".sst") ? contents : `${globals}\n${contents}`, loader };
      });
    },
  };
}

export async function buildEvalProgram(input: EvalInput): Promise<string> {
  const platform = input.cli.paths.platform;
  const lock = JSON.parse(readFileSync(join(input.root, ".sst", "provider-lock.json"), "utf8")) as {
    alias: string;
    package: string;
  }[];
  const globals = [
    ...lock.map((p) => `import * as ${p.alias} from "${p.package}";`),
    `import * as sst from "${join(platform, "src/components")}";`,
  ].join("\n");
  await build({
    stdin: {
      contents: [
        `import { run } from "${join(platform, "src/auto/run.ts")}";`,
        `import mod from '${join(input.root, "sst.config.ts")}';`,
        "const result = await run(mod.run);",
        "export default result;",
      ].join("\n"),
      resolveDir: input.root,
      sourcefile: "eval.ts",
      loader: "ts",
    },
    banner: { js: banner },
    mainFields: ["module", "main"],
    format: "esm",
    platform: "node",
    nodePaths: [join(platform, "node_modules")],
    plugins: [injectGlobals(globals)],
    external: [
      "@pulumi/*",
      "undici",
      "@pulumiverse/*",
      "@sst-provider/*",
      "@aws-sdk/*",
      "esbuild",
      "archiver",
      "glob",
      "vite",
    ],
    define: { $app: JSON.stringify(input.app), $cli: JSON.stringify(input.cli), $dev: String(input.cli.dev) },
    inject: [join(platform, "src/shim/run.js")],
    outfile: input.outfile,
    write: true,
    bundle: true,
    logLevel: "silent",
  });
  return input.outfile;
}
