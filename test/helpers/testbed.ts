import { randomBytes } from "node:crypto";
import { AppsV1Api, CoreV1Api, KubeConfig, PolicyV1Api, SchedulingV1Api } from "@kubernetes/client-node";
import { inject } from "vitest";
import { type Cluster, type ClusterOptions, startCluster } from "../testbed/cluster.ts";
import { createSimulatedNode, type SimulatedNodeOptions } from "../testbed/nodes.ts";
import type { TestbedEndpoints } from "../testbed/testbed.ts";

export function endpoints(): TestbedEndpoints {
  return inject("testbed");
}

export function kubeConfig(path = endpoints().kubeconfigPath): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export type Kube = ReturnType<typeof kube>;

/** API clients for the shared testbed, or for another cluster's kubeconfig. */
export function kube(kubeconfigPath?: string) {
  const kc = kubeConfig(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    scheduling: kc.makeApiClient(SchedulingV1Api),
  };
}

/**
 * A second, fully separate cluster beside the shared testbed (its own etcd, apiserver, controller-manager,
 * scheduler and kwok, on free ports); `close()` it in afterAll. See test/testbed/cluster.ts.
 */
export function createCluster(options: Partial<ClusterOptions> = {}): Promise<Cluster> {
  return startCluster({ ...options, name: options.name ?? uniqueName("cluster") });
}

export type { Cluster };

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

export function randomInstanceId(): string {
  return `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

/** A namespace of the test's own, ready for pods (its default service account exists). */
export async function createNamespace(core: CoreV1Api, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await core.createNamespace({ body: { metadata: { name } } });
  await eventually(() => core.readNamespacedServiceAccount({ name: "default", namespace: name }));
  return name;
}

export function createNode(core: CoreV1Api, options: SimulatedNodeOptions) {
  return createSimulatedNode(core, options);
}

/** Retries `probe` until it returns without throwing, then returns its value. */
export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
