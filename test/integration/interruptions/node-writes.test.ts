import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { KubernetesCluster } from "../../../functions/adapters/kubernetes/cluster.ts";
import { connectionFromKubeconfigFile } from "../../../functions/adapters/kubernetes/connection.ts";
import { createNode, endpoints, kube, randomInstanceId } from "../../helpers/testbed.ts";

// A node write starts from this process's last copy of the node instead of reading it first (a drain
// writes its node every few seconds). Two environments, each with its own copies, against the real
// apiserver: a write from a stale copy must lose nothing another environment wrote, and "nothing to write"
// must never be decided on a stale copy.
describe("node writes from the last copy", () => {
  const { core } = kube();
  const nodes: string[] = [];
  const connection = () => connectionFromKubeconfigFile(endpoints().kubeconfigPath);

  afterAll(async () => {
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  async function node() {
    const created = await createNode(core, { instanceId: randomInstanceId(), waitReady: false });
    const name = created.metadata?.name ?? "";
    nodes.push(name);
    return name;
  }

  /** The node requests (method) this process sends while `work` runs. */
  async function nodeRequests(name: string, work: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const onStart = (message: unknown) => {
      const { request } = message as { request: ClientRequest };
      if (request.path.split("?")[0]?.endsWith(`/nodes/${name}`)) seen.push(request.method);
    };
    subscribe("http.client.request.start", onStart);
    try {
      await work();
    } finally {
      unsubscribe("http.client.request.start", onStart);
    }
    return seen;
  }

  const annotate = (key: string, value: string) => () => ({ annotations: { [key]: value } });

  it("writes again without reading the node first", async () => {
    const name = await node();
    const env = new KubernetesCluster(connection());
    await env.updateNode(name, annotate("harbormaster.test/first", "1"));
    const requests = await nodeRequests(name, () => env.updateNode(name, annotate("harbormaster.test/second", "2")));
    expect(requests).toEqual(["PATCH"]);
    const stored = await core.readNode({ name });
    expect(stored.metadata?.annotations).toMatchObject({
      "harbormaster.test/first": "1",
      "harbormaster.test/second": "2",
    });
  });

  it("keeps what another environment wrote since its copy: the stale write is refused and made again", async () => {
    const name = await node();
    const a = new KubernetesCluster(connection());
    const b = new KubernetesCluster(connection());
    await a.updateNode(name, annotate("harbormaster.test/a", "1"));
    // b rewrites a's value; a's copy still has its own.
    await b.updateNode(name, (current) => ({
      annotations: { "harbormaster.test/a": `${current.annotations["harbormaster.test/a"]}+b` },
    }));
    const requests = await nodeRequests(name, () =>
      a.updateNode(name, (current) => ({
        annotations: { "harbormaster.test/a": `${current.annotations["harbormaster.test/a"]}+a` },
      })),
    );
    expect(requests).toEqual(["PATCH", "GET", "PATCH"]);
    expect((await core.readNode({ name })).metadata?.annotations?.["harbormaster.test/a"]).toBe("1+b+a");
  });

  it("reads the node again before deciding on an old copy that there is nothing to write", async () => {
    const name = await node();
    const a = new KubernetesCluster(connection());
    const b = new KubernetesCluster(connection());
    await a.updateNode(name, annotate("harbormaster.test/owner", "a"));
    await b.updateNode(name, annotate("harbormaster.test/owner", "b"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    // Writes only while a still owns: its copy says it does, the node says b does.
    const seen = await a.updateNode(name, (current) =>
      current.annotations["harbormaster.test/owner"] === "a"
        ? undefined
        : { annotations: { "harbormaster.test/seen": "b" } },
    );
    expect(seen.annotations["harbormaster.test/owner"]).toBe("b");
    expect((await core.readNode({ name })).metadata?.annotations?.["harbormaster.test/seen"]).toBe("b");
  });
});
