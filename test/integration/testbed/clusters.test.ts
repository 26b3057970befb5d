import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runningPods, workload } from "../../helpers/interruptions.ts";
import {
  type Cluster,
  createCluster,
  createNamespace,
  createNode,
  endpoints,
  eventually,
  type Kube,
  kube,
  randomInstanceId,
  uniqueName,
} from "../../helpers/testbed.ts";
import { TestbedError } from "../../testbed/errors.ts";
import { liveComponentPids } from "../../testbed/process.ts";
import { silentProgress } from "../../testbed/progress.ts";

// A second control plane beside the shared one: nothing written to one is visible in the other, each
// schedules onto its own kwok nodes, and its apiserver stops and comes back with the same data.
describe("createCluster", () => {
  let green: Cluster;
  const shared = kube();
  const nodes: string[] = [];

  beforeAll(async () => {
    const t0 = Date.now();
    green = await createCluster({ name: "green" });
    process.stderr.write(`second control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(nodes.map((name) => shared.core.deleteNode({ name })));
    const workDir = green?.workDir;
    await green?.close();
    if (workDir) expect(() => rmSync(workDir)).toThrow(/ENOENT/);
  });

  it("is its own control plane on its own ports", () => {
    expect(green.apiserverUrl).not.toBe(endpoints().apiserverUrl);
    expect(green.kubeconfigPath).not.toBe(endpoints().kubeconfigPath);
    expect(green.logs["kube-apiserver"]).toContain(green.workDir);
  });

  it("keeps nodes and namespaces apart from the shared cluster", async () => {
    const { core } = kube(green.kubeconfigPath);
    const namespace = await createNamespace(core, "only-green");
    const node = await createNode(shared.core, { instanceId: randomInstanceId() });
    const name = node.metadata?.name ?? "";
    nodes.push(name);

    await expect(shared.core.readNamespace({ name: namespace })).rejects.toMatchObject({ code: 404 });
    await expect(core.readNode({ name })).rejects.toMatchObject({ code: 404 });
    expect((await core.listNode()).items).toEqual([]);
  });

  it("schedules pods onto its own kwok nodes, as the shared cluster does", async () => {
    const [onShared, onGreen] = await Promise.all([
      runPod(shared, (name) => nodes.push(name)),
      runPod(kube(green.kubeconfigPath), () => {}),
    ]);
    expect(onShared.node).not.toBe(onGreen.node);
    await expect(shared.core.readNode({ name: onGreen.node })).rejects.toMatchObject({ code: 404 });
  });

  it("stops its apiserver while the shared one serves, and starts it again with the same data", async () => {
    const { core } = kube(green.kubeconfigPath);
    const namespace = await createNamespace(core, "survives");
    const t0 = Date.now();
    await green.stop("kube-apiserver");
    process.stderr.write(`apiserver stopped in ${Date.now() - t0} ms\n`);
    await expect(core.readNamespace({ name: namespace })).rejects.toMatchObject({ cause: { code: "ECONNREFUSED" } });
    await expect(shared.core.listNamespace()).resolves.toBeDefined();

    const t1 = Date.now();
    await green.start("kube-apiserver");
    process.stderr.write(`apiserver started again in ${Date.now() - t1} ms\n`);
    const read = await eventually(() => core.readNamespace({ name: namespace }));
    expect(read.metadata?.name).toBe(namespace);
    await expect(green.start("kube-apiserver")).rejects.toThrow("green/kube-apiserver is already running");
  });

  it("names the failed component and its log, and leaves nothing of the failed cluster running", async () => {
    const before = liveComponentPids();
    const error = await createCluster({
      name: "broken",
      progress: silentProgress,
      extraArgs: { "kube-scheduler": ["--no-such-flag"] },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TestbedError);
    const failure = error as TestbedError;
    expect(failure.component).toBe("broken/kube-scheduler");
    expect(failure.message).toContain("exited with code 1 during start");
    expect(failure.logPath).toMatch(/harbormaster-cluster-broken-.*\/logs\/kube-scheduler\.log$/);
    expect(liveComponentPids().sort()).toEqual(before.sort());
    rmSync(dirname(dirname(failure.logPath ?? "")), { recursive: true, force: true });
  });
});

/** A node of the test's own and a Deployment pinned to it: the controller-manager, scheduler and kwok all play. */
async function runPod(clients: Kube, created: (node: string) => void) {
  const selector = { "harbormaster.test/pool": uniqueName("pool") };
  const node = await createNode(clients.core, { instanceId: randomInstanceId(), labels: selector });
  created(node.metadata?.name ?? "");
  const namespace = await createNamespace(clients.core, "pods");
  await workload(namespace, "app", 1, selector, undefined, clients);
  const [pod] = await runningPods(namespace, "app", 1, clients.core);
  return { node: pod?.spec?.nodeName ?? "", namespace };
}
