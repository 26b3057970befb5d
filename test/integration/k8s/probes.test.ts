import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { buildOverlay, type Manifest } from "../../helpers/k8s-manifests.ts";
import { k8sTools } from "../../helpers/k8s-tools.ts";
import { endpoints, eventually } from "../../helpers/testbed.ts";

// The probes and shutdown timing the manifests declare, tried against the real services as processes with
// the environment the manifests give them: the probe paths answer, readiness fails at SIGTERM while
// liveness holds, and the process is gone before the kubelet's SIGKILL would come.
const root = join(import.meta.dirname, "..", "..", "..");
const services = {
  scissors: { entry: "services/scissors/src/main.ts", portVariable: "SCISSORS_PORT" },
  adserver: { entry: "services/adserver/src/server.ts", portVariable: "PORT" },
} as const;

describe.each(Object.entries(services))("%s as the dev overlay runs it", (name, service) => {
  let objects: Manifest[];
  let container: V1Container;
  let grace: number;

  beforeAll(async () => {
    objects = await buildOverlay((await k8sTools()).kustomize, "dev");
    const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata?.name === name) as V1Deployment;
    const spec = deployment.spec?.template.spec;
    container = spec?.containers[0] as V1Container;
    grace = spec?.terminationGracePeriodSeconds ?? 30;
    if (name === "adserver") await loadCatalog();
  });

  // Literal values as written; ConfigMaps from the same build; Secrets (kept outside git) from the test.
  async function environment(port: number): Promise<NodeJS.ProcessEnv> {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const key of Object.keys(process.env).filter((k) => k.startsWith("AWS_"))) env[key] = process.env[key];
    for (const source of container.envFrom ?? []) {
      const map = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === source.configMapRef?.name);
      Object.assign(env, map?.data);
    }
    for (const variable of container.env ?? []) {
      if (variable.value !== undefined) env[variable.name] = variable.value;
      else if (variable.valueFrom?.secretKeyRef) env[variable.name] = secret(variable.valueFrom.secretKeyRef.key);
    }
    env[service.portVariable] = String(port);
    if (name === "adserver") env.HOST = "127.0.0.1";
    if (name === "scissors") env.SCISSORS_HOST = "127.0.0.1";
    return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  }

  it("answers its probes, fails readiness at SIGTERM but not liveness, and exits 0 within the grace period", async () => {
    const readiness = container.readinessProbe?.httpGet?.path ?? "";
    const liveness = container.livenessProbe?.httpGet?.path ?? "";
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, service.entry)], {
      env: await environment(port),
      stdio: ["ignore", "ignore", "inherit"],
    });
    const exited = once(child, "exit");
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => expect((await fetch(base + readiness)).status).toBe(200), 30_000, 200);
      expect((await fetch(base + liveness)).status).toBe(200);

      // The kubelet sends SIGTERM once preStop has slept; from then on the pod has grace - preStop seconds.
      const signalled = Date.now();
      child.kill("SIGTERM");
      await eventually(async () => expect((await fetch(base + readiness)).status).toBe(503), 5_000, 50);
      expect((await fetch(base + liveness)).status).toBe(200);
      const [code] = await exited;
      expect(code).toBe(0);
      expect((Date.now() - signalled) / 1000).toBeLessThan(grace - preStop);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});

const adserverSecrets: Record<string, string> = {
  "redis-url": "",
  "beacon-secret": randomBytes(24).toString("hex"),
};

function secret(key: string): string | undefined {
  return adserverSecrets[key] || undefined;
}

// The ad server is ready once a catalog is loaded: its own loader writes the example catalog to a Redis
// database of this test's own on the testbed's Redis.
async function loadCatalog(): Promise<void> {
  const url = `${endpoints().redisUrl}/13`;
  adserverSecrets["redis-url"] = url;
  const loader = join(root, "services/adserver/src/loader/cli.ts");
  const catalog = join(root, "services/adserver/examples/catalog.yaml");
  await promisify(execFile)(process.execPath, [loader, "--redis", url, catalog]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}
