import type { V1Pod } from "@kubernetes/client-node";
import { ApiException, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployment, pdb } from "../../fixtures/workloads.ts";
import { createNamespace, createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

// The Eviction API only means something with a real apiserver and disruption controller:
// these tests fail against anything that accepts evictions without computing PDB status.
describe("eviction through the real Eviction API", () => {
  const { core, apps, policy } = kube();
  const pool = uniqueName("evict-pool");
  const nodeSelector = { "harbormaster.test/pool": pool };
  const nodes: string[] = [];
  let namespace: string;

  beforeAll(async () => {
    namespace = await createNamespace(core, "eviction");
    for (const zone of ["us-east-2a", "us-east-2b", "us-east-2c", "us-east-2a"]) {
      const node = await createNode(core, { instanceId: randomInstanceId(), zone, labels: nodeSelector });
      nodes.push(node.metadata?.name ?? "");
    }
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name });
  });

  async function runningPods(app: string, count: number): Promise<V1Pod[]> {
    return eventually(async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
      const running = list.items.filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp);
      if (running.length !== count) throw new Error(`${running.length}/${count} pods running`);
      return running;
    });
  }

  async function deployWithBudget(app: string, minAvailable: number): Promise<V1Pod[]> {
    await apps.createNamespacedDeployment({ namespace, body: deployment(app, 3, nodeSelector) });
    await policy.createNamespacedPodDisruptionBudget({ namespace, body: pdb(app, minAvailable) });
    const pods = await runningPods(app, 3);
    // Wait until the disruption controller has computed the budget from the running pods.
    await eventually(async () => {
      const budget = await policy.readNamespacedPodDisruptionBudget({ name: app, namespace });
      if (budget.status?.observedGeneration !== budget.metadata?.generation || budget.status?.currentHealthy !== 3) {
        throw new Error("budget not observed yet");
      }
    });
    return pods;
  }

  // Cordoned, as a drain leaves them: the scheduler places nothing new there.
  function setUnschedulable(names: string[], unschedulable: boolean) {
    return Promise.all(
      names.map((name) =>
        core.patchNode(
          { name, body: { spec: { unschedulable } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      ),
    );
  }

  function evict(pod: V1Pod) {
    const name = pod.metadata?.name ?? "";
    return core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
  }

  it("answers 429 when the budget allows no disruption", async () => {
    const [victim] = await deployWithBudget("blocked", 3);
    const error = await evict(victim as V1Pod).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(429);
    expect(String((error as ApiException<string>).body)).toContain("disruption budget");
    await runningPods("blocked", 3);
  });

  it("evicts one pod when the budget allows it, and the ReplicaSet replaces it on another node", async () => {
    const pods = await deployWithBudget("allowed", 2);
    const victim = pods[0] as V1Pod;
    const victimNode = victim.spec?.nodeName ?? "";
    // Cordoned first, as a drain does: otherwise the freed node may simply take the replacement back.
    await setUnschedulable([victimNode], true);
    try {
      await evict(victim);
      await eventually(async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: "app=allowed" });
        if (list.items.some((p) => p.metadata?.name === victim.metadata?.name)) throw new Error("victim still present");
      });
      const after = await runningPods("allowed", 3);
      const replacement = after.find((p) => !pods.some((q) => q.metadata?.name === p.metadata?.name));
      expect(replacement).toBeDefined();
      expect(replacement?.spec?.nodeName).toBeTruthy();
      expect(replacement?.spec?.nodeName).not.toBe(victimNode);
    } finally {
      await setUnschedulable([victimNode], false);
    }
  });

  it("answers 429 for a second eviction while the evicted pod's replacement cannot be scheduled", async () => {
    await deployWithBudget("spent", 2);
    const pods = await runningPods("spent", 3);
    // Cordoned like a drain would leave them, the nodes take no replacement, so the budget stays spent.
    await setUnschedulable(nodes, true);
    try {
      await evict(pods[0] as V1Pod);
      const error = await evict(pods[1] as V1Pod).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as ApiException<string>).code).toBe(429);
    } finally {
      await setUnschedulable(nodes, false);
    }
  });
});
