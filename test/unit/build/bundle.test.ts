import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { functionRuntime } from "../../../stacks/function-defaults.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");
const out = mkdtempSync(join(tmpdir(), "harbormaster-bundle-"));
const entries = readdirSync(join(root, "functions")).filter((file) => file.endsWith(".ts"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

// The environment a deployed function gets; the bundle parses it at cold start.
const kubeconfig = join(out, "kubeconfig");
writeFileSync(
  kubeconfig,
  "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n",
);
const env = {
  PATH: process.env.PATH,
  AWS_REGION: "us-east-2",
  KUBECONFIG: kubeconfig,
  HARBORMASTER_DEAD_LETTER_QUEUE_URL: "https://sqs.us-east-2.amazonaws.com/123456789012/dlq",
  HARBORMASTER_TRAFFIC_DOMAINS: JSON.stringify([
    {
      name: "app",
      hostedZoneId: "Z1",
      recordName: "app.example.com",
      setIdentifiers: ["blue", "green"],
      insufficientData: "proceed",
      plan: "Canary10Percent5Minutes",
    },
  ]),
  HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/scheduler",
  HARBORMASTER_ARGOCD_WEBHOOK_TOKEN: "a-token-of-sixteen-chars",
  HARBORMASTER_PRESCALING_POLICIES: JSON.stringify([
    {
      name: "p",
      headroom: { namespace: "n", name: "h", unit: { cpu: "1", memory: "1Gi" }, sizing: { mode: "units", units: 1 } },
    },
  ]),
  HARBORMASTER_SLACK_SIGNING_SECRET: "a-signing-secret-of-32-characters",
  HARBORMASTER_SLACK_BOT_TOKEN: "xoxb-token",
  HARBORMASTER_SLACK_TABLE: "slack-state",
  HARBORMASTER_SLACK_QUEUE_URL: "https://sqs.us-east-2.amazonaws.com/123456789012/slack.fifo",
  HARBORMASTER_SLACK_DEFAULT_CHANNEL: "C0ALERTS",
};

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
