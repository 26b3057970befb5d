// Runs sst.config.ts as `sst deploy` runs it, with Pulumi's mock monitor in place of the engine and the AWS
// provider: `node runner.ts <request.json> <result.json>`. A process of its own, as Pulumi's language host
// runs a program, so each run starts from fresh Pulumi and SST state. See ./graph.ts for the request.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startCliServer } from "./cli-server.ts";
import { awsMocks, type MockResourceArgs } from "./mocks.ts";
import { buildEvalProgram } from "./sst-eval.ts";
import type { GraphRequest, GraphResult, RegisteredResource } from "./types.ts";

const [requestFile, resultFile] = process.argv.slice(2) as [string, string];
// A failure inside the program can surface outside runInPulumiStack's promise: report it all the same.
const fail = (error: unknown) => {
  const result: GraphResult = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  writeFileSync(resultFile, JSON.stringify(result));
  process.exit(1);
};
process.on("uncaughtException", fail).on("unhandledRejection", fail);
const request = JSON.parse(readFileSync(requestFile, "utf8")) as GraphRequest;
const root = join(import.meta.dirname, "..", "..", "..");
const platform = join(root, ".sst", "platform");
const work = mkdtempSync(join(tmpdir(), "hm-stack-graph-"));

// The CLI first evaluates `app()` on its own, then defines its result, with the stage, as `$app`.
(globalThis as Record<string, unknown>).$config = (config: unknown) => config;
const config = (await import(pathToFileURL(join(root, "sst.config.ts")).href)).default as {
  app: (input: { stage: string }) => Record<string, unknown>;
};
const app: Record<string, unknown> = {
  ...config.app({ stage: request.stage }),
  stage: request.stage,
  providers: { aws: {} },
};

const cli = await startCliServer(root, work);
Object.assign(process.env, {
  SST_SERVER: cli.url,
  HARBORMASTER_CONFIG: JSON.stringify(request.config),
  ...Object.fromEntries(Object.entries(request.secrets).map(([k, v]) => [`SST_SECRET_${k}`, v])),
});
const outfile = await buildEvalProgram({
  root,
  app,
  cli: { command: "deploy", dev: false, paths: { home: work, root, work, platform } },
  // Beside the platform, as the CLI puts it, so `@pulumi/*` resolve to the platform's node_modules.
  outfile: join(platform, `sst.config.graph-${process.pid}-${Date.now()}.mjs`),
});

const requirePlatform = createRequire(join(platform, "package.json"));
const pulumi = requirePlatform("@pulumi/pulumi");
const { runInPulumiStack } = requirePlatform("@pulumi/pulumi/runtime/stack");
const { waitForRPCs } = requirePlatform("@pulumi/pulumi/runtime/settings");

const mocks = awsMocks(request.homeRegion);
const resources: RegisteredResource[] = [];
const byUrn = new Map<string, RegisteredResource>();
await pulumi.runtime.setMocks(
  {
    call: mocks.call,
    newResource: (args: MockResourceArgs) => mocks.newResource(args),
  },
  String(app.name),
  request.stage,
  false,
);
// The mocks see a resource's inputs, not its parent: read that from the registration request itself.
const monitor = pulumi.runtime.getMonitor();
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req: RegisterRequest, callback: (err: unknown, res?: RegisterResponse) => void) =>
  register(req, (err: unknown, res?: RegisterResponse) => {
    if (res) {
      const parent = byUrn.get(req.getParent());
      // Aliases by name (`{ name }` specs) or URN: what lets an upgrade rename a resource in place.
      const aliases = req.getAliasesList().map((a) => (a.hasSpec() ? a.getSpec().getName() : a.getUrn()));
      const { deserializeProperties } = requirePlatform("@pulumi/pulumi/runtime/rpc");
      const resource: RegisteredResource = {
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        region: req.getType() === "pulumi:pulumi:Stack" ? "" : mocks.regionOf(req.getProvider() || parent?.providerRef),
        inputs: unsecret(deserializeProperties(req.getObject())) as Record<string, unknown>,
        outputs: unsecret(deserializeProperties(res.getObject())) as Record<string, unknown>,
        ...(parent && { parent: { type: parent.type, name: parent.name } }),
        ...(aliases.length > 0 && { aliases }),
        providerRef: req.getProvider() || parent?.providerRef,
      };
      byUrn.set(res.getUrn(), resource);
      resources.push(resource);
    }
    callback(err, res);
  });

/** Secrets arrive wrapped (`{ [secretSig]: …, value }`); the graph holds their values, as tests read them. */
function unsecret(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unsecret);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  if (object[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return unsecret(object.value);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, unsecret(v)]));
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getAliasesList(): { hasSpec(): boolean; getSpec(): { getName(): string }; getUrn(): string }[];
}
interface RegisterResponse {
  getUrn(): string;
  getObject(): unknown;
}

let result: GraphResult;
try {
  const outputs = await runInPulumiStack(async () => (await import(pathToFileURL(outfile).href)).default);
  await waitForRPCs();
  result = { resources: resources.map(({ providerRef: _, ...r }) => r), outputs: outputs ?? {} };
} catch (error) {
  result = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
} finally {
  await cli.close();
  rmSync(outfile, { force: true });
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(resultFile, JSON.stringify(result));
