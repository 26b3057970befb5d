import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeApi, KubernetesApiError, type WatchEvent } from "../../../functions/adapters/kubernetes/api.ts";
import { connectionFromKubeconfigFile } from "../../../functions/adapters/kubernetes/connection.ts";
import { createNamespace, endpoints, kube } from "../../helpers/testbed.ts";

// The interruption function's own Kubernetes client against the real apiserver: TLS with the kubeconfig's
// CA and token, errors with the status and the raw Status body, and watches that end and can be aborted.
describe("the Kubernetes REST client", () => {
  const { core } = kube();
  const api = new KubeApi(connectionFromKubeconfigFile(endpoints().kubeconfigPath));
  let namespace: string;

  beforeAll(async () => {
    namespace = await createNamespace(core, "kubeapi");
  });
  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
  });

  it("reads over TLS with the kubeconfig's CA and token", async () => {
    const ns = await api.send<{ metadata: { name: string } }>("GET", `/api/v1/namespaces/${namespace}`, {
      timeoutMs: 5_000,
    });
    expect(ns.metadata.name).toBe(namespace);
  });

  it("throws the status code and the apiserver's Status body", async () => {
    const error = await api.send("GET", "/api/v1/nodes/no-such-node", { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect((error as KubernetesApiError).code).toBe(404);
    expect(JSON.parse((error as KubernetesApiError).body)).toMatchObject({ kind: "Status", reason: "NotFound" });
  });

  it("refuses a server whose certificate the CA does not vouch for", async () => {
    const untrusted = new KubeApi({ ...connectionFromKubeconfigFile(endpoints().kubeconfigPath), ca: undefined });
    await expect(untrusted.send("GET", "/version", { timeoutMs: 5_000 })).rejects.toThrow(/certificate/);
  });

  it("streams watch events and reports the end of a watch the server closed", async () => {
    type ConfigMap = { metadata?: { name?: string } };
    const events: WatchEvent<ConfigMap>[] = [];
    const ended = new Promise<unknown>((resolve) => {
      api.watch<ConfigMap>(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { timeoutSeconds: 2 },
        (e) => events.push(e),
        resolve,
        10_000,
      );
    });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "watched" } } });
    expect(await ended).toBeNull();
    expect(events.some((e) => e.type === "ADDED" && e.object.metadata?.name === "watched")).toBe(true);
  });

  it("ends an aborted watch with an error", async () => {
    let abort: AbortController | undefined;
    const ended = new Promise<unknown>((resolve) => {
      abort = api.watch(`/api/v1/namespaces/${namespace}/pods`, { timeoutSeconds: 60 }, () => {}, resolve, 10_000);
    });
    abort?.abort();
    expect(await ended).toBeTruthy();
  });
});
