import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeApi } from "../../../functions/adapters/kubernetes/api.ts";
import { BudgetTurns, leaseName } from "../../../functions/adapters/kubernetes/budget-turns.ts";
import { KubernetesCluster } from "../../../functions/adapters/kubernetes/cluster.ts";
import { connectionFromKubeconfigFile } from "../../../functions/adapters/kubernetes/connection.ts";
import { deployment, pdb } from "../../fixtures/workloads.ts";
import {
  createNamespace,
  createNode,
  endpoints,
  eventually,
  kube,
  randomInstanceId,
  uniqueName,
} from "../../helpers/testbed.ts";

// Two execution environments taking turns at one budget through a real Lease in the real apiserver.
describe("budget turns between environments", () => {
  const { core, apps, policy } = kube();
  const api = new KubeApi(connectionFromKubeconfigFile(endpoints().kubeconfigPath));
  let namespace: string;
  let clock = Date.now();
  const now = () => clock;
  const environment = (holder: string) =>
    new BudgetTurns(api, { namespace, holder, turnMs: 3_000, leaseSeconds: 10, now, random: () => 0.5 });

  beforeAll(async () => {
    namespace = await createNamespace(core, "turns");
  });
  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
  });

  async function lease(budget: string) {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${leaseName(budget)}`;
    return api.send<{ spec: { holderIdentity?: string } }>("GET", path, { timeoutMs: 5_000 });
  }

  it("gives a budget to one environment at a time and hands it over when released", async () => {
    const a = environment("env-a");
    const b = environment("env-b");
    expect(await a.take("shop/web")).toEqual({ ours: true });
    expect((await lease("shop/web")).spec.holderIdentity).toBe("env-a");
    expect(await b.take("shop/web")).toEqual({ ours: false, holder: "env-a" });
    // Another budget is free meanwhile.
    expect(await b.take("shop/api")).toEqual({ ours: true });

    await a.release("shop/web");
    expect((await lease("shop/web")).spec.holderIdentity).toBeUndefined();
    clock += 2_100; // past b's wait before asking again (up to a quarter of a turn)
    expect(await b.take("shop/web")).toEqual({ ours: true });
    expect(await a.take("shop/web")).toEqual({ ours: false, holder: "env-b" });
  });

  it("ends a turn after its time, so a busy budget moves between environments", async () => {
    const a = environment("env-c");
    const b = environment("env-d");
    expect(await a.take("shop/cart")).toEqual({ ours: true });
    expect(await b.take("shop/cart")).toEqual({ ours: false, holder: "env-c" });
    clock += 3_000;
    // a's turn is over: it gives the budget back and waits, and b gets it.
    expect((await a.take("shop/cart")).ours).toBe(false);
    expect(await b.take("shop/cart")).toEqual({ ours: true });
  });

  it("takes over a turn whose holder stopped without giving it back", async () => {
    const frozen = environment("env-frozen");
    const b = environment("env-f");
    expect(await frozen.take("shop/search")).toEqual({ ours: true });
    expect((await b.take("shop/search")).ours).toBe(false);
    clock += 10_500; // the Lease's duration
    expect(await b.take("shop/search")).toEqual({ ours: true });
    expect((await lease("shop/search")).spec.holderIdentity).toBe("env-f");
  });

  it("switches itself off where Leases cannot be written, and every eviction goes", async () => {
    const nowhere = new BudgetTurns(api, { namespace: "no-such-namespace", holder: "env-x", now });
    expect(await nowhere.take("shop/web")).toEqual({ ours: true });
    expect(await nowhere.take("shop/web")).toEqual({ ours: true });
  });

  it("makes a second environment's eviction under a budget wait for the first one's turn", async () => {
    const pool = uniqueName("turns-pool");
    const node = await createNode(core, { instanceId: randomInstanceId(), zone: "us-east-2a", labels: { pool } });
    const nodeName = node.metadata?.name ?? "";
    try {
      await apps.createNamespacedDeployment({
        namespace,
        body: deployment("shared", 3, { pool }, { onePerNode: false }),
      });
      await policy.createNamespacedPodDisruptionBudget({ namespace, body: pdb("shared", 1) });
      const connection = connectionFromKubeconfigFile(endpoints().kubeconfigPath);
      const first = new KubernetesCluster(connection, { turnsNamespace: namespace });
      const second = new KubernetesCluster(connection, { turnsNamespace: namespace });
      const pods = await eventually(async () => {
        const budget = await policy.readNamespacedPodDisruptionBudget({ name: "shared", namespace });
        const ready = (await first.listPods(nodeName)).filter((p) => p.ready);
        if (ready.length !== 3 || budget.status?.disruptionsAllowed !== 2) throw new Error("not ready yet");
        return ready;
      });
      expect(await first.evict(pods[0] as never)).toEqual({ outcome: "evicted" });
      const waiting = await second.evict(pods[1] as never);
      expect(waiting).toMatchObject({ outcome: "blocked", budgets: ["shared"] });
      expect(waiting.outcome === "blocked" && waiting.message).toMatch(/Another drain .* is evicting under .*shared/);

      await first.releaseTurns();
      await new Promise((resolve) => setTimeout(resolve, 2_100)); // the second one waits up to 2 s before asking again
      expect(await second.evict(pods[1] as never)).toEqual({ outcome: "evicted" });
      first.close();
      second.close();
    } finally {
      await core.deleteNode({ name: nodeName });
    }
  });
});
