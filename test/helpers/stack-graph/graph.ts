// Runs sst.config.ts's `run()` under Pulumi's mock monitor, with SST's real platform and components, for a
// chosen harbormaster config, and returns every registered resource as plain data. See docs/stacks.md,
// "The resource graph". Each run is a child process (./runner.ts), so Pulumi's and SST's state start fresh.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { GraphRequest, GraphResult, RegisteredResource } from "./types.ts";

export type Resource = Omit<RegisteredResource, "providerRef">;

export interface GraphOptions {
  stage?: string;
  homeRegion?: string;
  secrets?: Record<string, string>;
}

/** Values for the secrets the stacks declare, as `sst secret set` would have stored them. */
export const testSecrets = {
  SlackBotToken: "xoxb-stack-graph",
  SlackSigningSecret: "a-signing-secret-of-32-characters",
  GithubWebhookSecret: "a-github-secret-of-32-characters",
  ArgocdWebhookToken: "a-token-of-sixteen-chars",
};

export async function stackGraph(config: unknown, options: GraphOptions = {}): Promise<StackGraph> {
  const dir = mkdtempSync(join(tmpdir(), "hm-graph-request-"));
  const request: GraphRequest = {
    config,
    stage: options.stage ?? "test",
    homeRegion: options.homeRegion ?? "us-east-2",
    secrets: options.secrets ?? testSecrets,
  };
  try {
    writeFileSync(join(dir, "request.json"), JSON.stringify(request));
    const runner = join(import.meta.dirname, "runner.ts");
    // Pulumi's runtime is CommonJS and the platform's files are plain ESM: run under Node itself, not vitest.
    // A failed run writes its error to the result, which is read below, so the exit status adds nothing.
    await promisify(execFile)(process.execPath, [runner, join(dir, "request.json"), join(dir, "result.json")], {
      env: { ...process.env, NODE_OPTIONS: "--no-deprecation" },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000,
    }).catch(() => undefined);
    const result = JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as GraphResult;
    if (result.error !== undefined) throw new Error(`sst.config.ts failed under Pulumi's mocks:\n${result.error}`);
    return new StackGraph(result.resources, result.outputs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lookups over the registered resources: by type, by logical name, by the ARN a resource would have. */
export class StackGraph {
  readonly resources: readonly Resource[];
  readonly outputs: Record<string, unknown>;

  constructor(resources: readonly Resource[], outputs: Record<string, unknown>) {
    this.resources = resources;
    this.outputs = outputs;
  }

  of(type: string): Resource[] {
    return this.resources.filter((r) => r.type === type);
  }

  named(name: string, type?: string): Resource {
    const found = this.resources.find((r) => r.name === name && (!type || r.type === type));
    if (!found) throw new Error(`no resource named ${name}${type ? ` of type ${type}` : ""}`);
    return found;
  }

  /** The resources a component created directly (an sst:aws:Function's role, log group and lambda). */
  childrenOf(parent: Resource): Resource[] {
    return this.resources.filter((r) => r.parent?.type === parent.type && r.parent.name === parent.name);
  }

  /** The resource whose `arn` output (as the mocks assign it) is this ARN. */
  byArn(arn: unknown): Resource | undefined {
    return this.resources.find((r) => r.custom && r.outputs.arn === arn);
  }
}
