// The two calls SST's components make to the CLI during `sst deploy` (SST_SERVER, platform/src/components/
// rpc/rpc.ts), answered as the CLI answers them (sst/sst pkg/server, pkg/runtime): `Runtime.Build` bundles the
// handler into `<work>/artifacts/<functionID>-src`, here with the esbuild options the cold-start benchmark
// reproduces from SST's Go build; `Provider.Aws.Bootstrap` names the region's asset bucket. Only these two:
// any other call fails the run, so a component needing more of the CLI is noticed.
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";
import { sstBuildOptions } from "../../bench/cold-start/bundle.ts";

interface BuildInput {
  functionID: string;
  handler: string;
  runtime: string;
  properties: { format?: string; minify?: boolean; esbuild?: { external?: string[] }; install?: string[] };
}

export interface CliServer {
  url: string;
  close(): Promise<void>;
}

export async function startCliServer(root: string, work: string): Promise<CliServer> {
  // One build per handler: functions sharing a handler (one per cluster group) get the same bundle.
  const builds = new Map<string, Promise<{ handler: string; out: string; errors: string[]; sourcemaps: [] }>>();
  const methods: Record<string, (args: never) => Promise<unknown>> = {
    "Runtime.Build": (input: BuildInput) => {
      const key = JSON.stringify([input.handler, input.properties]);
      const built = builds.get(key) ?? buildHandler(root, work, input);
      builds.set(key, built);
      return built;
    },
    "Provider.Aws.Bootstrap": async ({ region }: { region: string }) => ({
      asset: `sst-asset-${region}`,
      assetEcrRegistryId: "123456789012",
      assetEcrUrl: `123456789012.dkr.ecr.${region}.amazonaws.com/sst-asset`,
      state: `sst-state-${region}`,
      appsyncHttp: "",
      appsyncRealtime: "",
    }),
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", async () => {
      const { method, params } = JSON.parse(body) as { method: string; params: [never] };
      const call = methods[method];
      const reply = call
        ? await call(params[0]).then(
            (result) => ({ result }),
            (error: Error) => ({ error: error.message }),
          )
        : { error: `rpc: can't find method ${method} (not served by the stack-graph harness)` };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `functions/interruptions.handler` → `<out>/functions/interruptions.mjs`, handler as given (pkg/runtime/node). */
async function buildHandler(root: string, work: string, input: BuildInput) {
  if (!input.runtime.startsWith("nodejs"))
    throw new Error(`the harness builds Node.js functions only: ${input.runtime}`);
  const file = input.handler.replace(/\.[^./]+$/, "");
  const out = join(work, "artifacts", `${input.functionID}-src`);
  mkdirSync(out, { recursive: true });
  const p = input.properties;
  const nodejs = {
    format: (p.format ?? "esm") as "esm",
    minify: p.minify ?? false,
    esbuild: { external: p.esbuild?.external ?? [] },
    install: p.install ?? [],
  };
  await build(sstBuildOptions(join(root, `${file}.ts`), join(out, `${file}.mjs`), nodejs));
  return { handler: input.handler, out, errors: [], sourcemaps: [] as [] };
}
