// Starts aws-node-termination-handler (NTH) in queue-processor mode against the testbed: the real
// kube-apiserver (from a kubeconfig) and moto as the AWS endpoint. The binary runs unmodified.
//
// NTH v1.25.1 builds its Kubernetes client with rest.InClusterConfig() only: it reads
// KUBERNETES_SERVICE_HOST/PORT and the fixed files /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt}.
// It has no kubeconfig flag. So we take the server, CA and bearer token from the kubeconfig and give NTH
// that in-cluster view in a private mount namespace (unshare): a tmpfs over /run, visible to NTH alone,
// holding the two files. Nothing outside the namespace changes.

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { TestbedError } from "../../../testbed/errors.ts";

export interface StartNthOptions {
  binary: string;
  kubeconfigPath: string;
  awsEndpoint: string;
  region: string;
  queueUrl: string;
  logPath: string;
  /** NTH's WORKERS (parallel event processors). Unset keeps NTH's default, 10. */
  workers?: number;
  /** Extra NTH settings (its env var names, e.g. LOG_LEVEL=debug); they win over ours. */
  extraEnv?: Record<string, string>;
  readyTimeoutMs?: number;
}

export interface RunningNth {
  pid: number;
  logPath: string;
  /** The environment NTH was started with (no secrets in it), for reports. */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/** The settings we give NTH, and why. Everything else stays at NTH's shipped defaults. */
export function nthSettings(opts: StartNthOptions, apiserver: { host: string; port: string }): Record<string, string> {
  const settings: Record<string, string> = {
    // Queue-processor mode: poll SQS for EventBridge events. This also turns every IMDS monitor off.
    ENABLE_SQS_TERMINATION_DRAINING: "true",
    QUEUE_URL: opts.queueUrl,
    AWS_REGION: opts.region,
    // NTH's own endpoint override ("[testing] If specified, use the AWS endpoint to make API calls"):
    // aws-sdk-go v1 sends SQS, EC2 and Auto Scaling calls there.
    AWS_ENDPOINT: opts.awsEndpoint,
    // Our instances carry no aws-node-termination-handler/managed tag; don't drop their events.
    CHECK_TAG_BEFORE_DRAINING: "false",
    // Required by NTH's flag parsing even in queue mode (the Helm chart passes the pod's node); unused here.
    NODE_NAME: "nth-out-of-cluster",
    // rest.InClusterConfig() builds https://HOST:PORT from these.
    KUBERNETES_SERVICE_HOST: apiserver.host,
    KUBERNETES_SERVICE_PORT: apiserver.port,
    // Credentials for moto (any value), and no fallbacks that would reach real AWS or IMDS.
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    // IMDS is never created in queue mode; if it ever were, fail at once instead of waiting on 169.254.169.254.
    INSTANCE_METADATA_URL: "http://127.0.0.1:1",
  };
  if (opts.workers !== undefined) settings.WORKERS = String(opts.workers);
  return { ...settings, ...opts.extraEnv };
}

const startedLine = "Kubernetes AWS Node Termination Handler has started successfully!";
const monitorProblemLine = "There was a problem monitoring for events";
// NTH's monitor loop is `for range time.Tick(2 * time.Second)`: its first ReceiveMessage goes out 2 s after start.
const firstPollDelayMs = 2_000;

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export async function startNth(opts: StartNthOptions): Promise<RunningNth> {
  const { logPath } = opts;
  const fail = (message: string, cause?: unknown) => new TestbedError("nth", message, { logPath, cause });

  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw fail(`no current cluster in ${opts.kubeconfigPath}`);
  const server = new URL(cluster.server);
  if (server.protocol !== "https:") throw fail(`NTH's in-cluster client needs an https server, got ${cluster.server}`);
  const token = user?.token;
  if (!token)
    throw fail(`the kubeconfig's user has no bearer token; NTH's in-cluster client authenticates only with one`);
  const ca = cluster.caData
    ? Buffer.from(cluster.caData, "base64")
    : cluster.caFile
      ? readFileSync(cluster.caFile)
      : undefined;
  if (!ca) throw fail("the kubeconfig has no certificate authority; NTH's in-cluster client needs ca.crt");

  const secrets = mkdtempSync(join(tmpdir(), "harbormaster-nth-"));
  writeFileSync(join(secrets, "token"), token, { mode: 0o600 });
  writeFileSync(join(secrets, "ca.crt"), ca);
  const cleanup = () => rmSync(secrets, { recursive: true, force: true });

  const settings = nthSettings(opts, { host: server.hostname.replace(/^\[|\]$/g, ""), port: server.port || "443" });
  // Root can make a mount namespace directly; others need a user namespace that maps them to root in it.
  const namespaces = process.getuid?.() === 0 ? ["--mount"] : ["--user", "--map-root-user", "--mount"];
  // `unshare` and `sh` both exec, so the pid we spawn ends up being NTH's own.
  const script = [
    "set -e",
    "run=$(readlink -f /var/run)", // /var/run is usually a link to /run
    'mount -t tmpfs -o mode=0755,size=1m nth-secrets "$run"',
    'sa="$run/secrets/kubernetes.io/serviceaccount"',
    'mkdir -p "$sa"',
    'cp "$1/token" "$1/ca.crt" "$sa/"',
    'shift; exec "$@"',
  ].join("\n");
  const args = [...namespaces, "--", "/bin/sh", "-c", script, "nth-sandbox", secrets, opts.binary];

  // The log may hold earlier runs; only what this run writes counts.
  const logStart = existsSync(logPath) ? statSync(logPath).size : 0;
  const fd = openSync(logPath, "a");
  let child: ChildProcess;
  try {
    child = spawn("unshare", args, {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...settings },
      stdio: ["ignore", fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      exited = error.code === "ENOENT" ? "`unshare` (util-linux) was not found" : error.message;
      live.delete(child);
      resolve();
    });
    child.once("exit", (code, signal) => {
      exited ??= signal ? `was killed by ${signal}` : `exited with code ${code}`;
      live.delete(child);
      resolve();
    });
  });

  const stop = async () => {
    if (live.has(child)) {
      // NTH catches SIGTERM but its main loop's `break` only leaves a select, so it keeps running; the
      // kubelet would SIGKILL it after the grace period. Give it a moment, then do the same.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 1_000);
      await gone;
      clearTimeout(timer);
    }
    cleanup();
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  try {
    let startedAt: number | undefined;
    for (;;) {
      if (exited) throw fail(`${exited} during start: ${lastLines(logPath, logStart, 3)}`);
      const log = readLog(logPath, logStart);
      if (log.includes(monitorProblemLine)) throw fail(`cannot poll the queue: ${lineWith(log, monitorProblemLine)}`);
      if (startedAt === undefined && log.includes(startedLine)) startedAt = Date.now();
      // Ready once its first poll is in flight; a poll that fails (no queue, no endpoint) logs at once.
      if (startedAt !== undefined && Date.now() - startedAt > firstPollDelayMs + 300) break;
      if (Date.now() > deadline) {
        throw fail(`not polling after ${opts.readyTimeoutMs ?? 30_000} ms: ${lastLines(logPath, logStart, 3)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...reported } = settings;
  return { pid: child.pid ?? -1, logPath, settings: reported, stop };
}

function readLog(path: string, from = 0): string {
  try {
    return readFileSync(path).subarray(from).toString("utf8");
  } catch {
    return "";
  }
}

function lineWith(log: string, needle: string): string {
  return (log.split("\n").find((line) => line.includes(needle)) ?? "").slice(0, 400);
}

function lastLines(path: string, from: number, count: number): string {
  return readLog(path, from).trimEnd().split("\n").slice(-count).join(" | ").slice(0, 600);
}
