import { AutoscalingV2Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PatchStrategy, requestOptions } from "../../../functions/adapters/kubernetes/request-options.ts";
import { applyAll, buildOverlay, deleteAll, isolate, type Manifest, runKey } from "../../helpers/k8s-manifests.ts";
import { k8sTools } from "../../helpers/k8s-tools.ts";
import { createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

// The dev overlay applied for real to the testbed: the real scheduler places the pods on simulated nodes
// in two pools, the HPA controller sets replica floors, the disruption controller computes budgets.
const zones = ["us-east-2a", "us-east-2b", "us-east-2c"];
const pool = { key: "harbormaster.io/pool", value: "scissors" };
const slow = 150_000;
// Real nodes report local disk, and the workloads request some; the simulated ones need it said.
const dedicatedCapacity = { cpu: "8", memory: "32Gi", "ephemeral-storage": "100Gi" };
const generalCapacity = { cpu: "4", memory: "16Gi", "ephemeral-storage": "100Gi" };

describe("the dev overlay applied to a cluster with a dedicated and a general pool", () => {
  const { kc, core, apps, policy } = kube();
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const runId = uniqueName("k8s-apply");
  const ns = (name: string) => `${runId}-${name}`;
  const run = { key: runKey, value: runId, effect: "NoSchedule" };
  const dedicated = new Set<string>();
  const general = new Set<string>();
  const zoneOf = new Map<string, string>();
  let objects: Manifest[];

  beforeAll(async () => {
    objects = isolate(await buildOverlay((await k8sTools()).kustomize, "dev"), runId);
    const nodes = zones.flatMap((zone) => [
      createNode(core, {
        instanceId: randomInstanceId(),
        zone,
        labels: { [runKey]: runId, [pool.key]: pool.value },
        taints: [run, { ...pool, effect: "NoSchedule" }],
        capacity: dedicatedCapacity,
      }).then((node) => ({ node, set: dedicated })),
      createNode(core, {
        instanceId: randomInstanceId(),
        zone,
        labels: { [runKey]: runId },
        taints: [run],
        capacity: generalCapacity,
      }).then((node) => ({ node, set: general })),
    ]);
    for (const { node, set } of await Promise.all(nodes)) {
      const name = node.metadata?.name ?? "";
      set.add(name);
      zoneOf.set(name, node.metadata?.labels?.["topology.kubernetes.io/zone"] ?? "");
    }
    await applyAll(kc, objects);
  }, slow);

  afterAll(async () => {
    await deleteAll(kc, objects);
    await Promise.allSettled([...dedicated, ...general].map((name) => core.deleteNode({ name })));
  });

  async function pods(app: string, namespace = ns(app)): Promise<V1Pod[]> {
    const list = await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${app}` });
    return list.items.filter((p) => !p.metadata?.deletionTimestamp);
  }

  async function running(app: string, count: number, namespace?: string): Promise<V1Pod[]> {
    return eventually(
      async () => {
        const all = await pods(app, namespace);
        const up = all.filter((p) => p.status?.phase === "Running");
        if (up.length !== count) throw new Error(`${app}: ${up.length} of ${count} running (${all.length} pods)`);
        return up;
      },
      120_000,
      500,
    );
  }

  async function setFloor(app: string, minReplicas: number): Promise<void> {
    await autoscaling.patchNamespacedHorizontalPodAutoscaler(
      { name: app, namespace: ns(app), body: { spec: { minReplicas } } },
      requestOptions(10_000, PatchStrategy.MergePatch),
    );
  }

  function perZone(placed: V1Pod[]): number[] {
    return zones.map((zone) => placed.filter((p) => zoneOf.get(p.spec?.nodeName ?? "") === zone).length);
  }

  it(
    "puts Scissors only on the dedicated nodes and nothing else there",
    async () => {
      await setFloor("scissors", 6);
      const scissors = await running("scissors", 6);
      for (const pod of scissors) expect(dedicated.has(pod.spec?.nodeName ?? "")).toBe(true);
      const others = [...(await running("adserver", 2)), ...(await running("headroom", 1, ns("harbormaster-system")))];
      for (const pod of others) expect(general.has(pod.spec?.nodeName ?? "")).toBe(true);
    },
    slow,
  );

  it("spreads Scissors and the ad server evenly over the three zones", async () => {
    expect(perZone(await running("scissors", 6))).toEqual([2, 2, 2]);
    const adserver = perZone(await running("adserver", 2));
    expect(Math.max(...adserver) - Math.min(...adserver)).toBeLessThanOrEqual(1);
  });

  it.each(["scissors", "adserver"])("has the %s budget's status computed by the disruption controller", async (app) => {
    const expected = (await pods(app)).length;
    const status = await eventually(async () => {
      const pdb = await policy.readNamespacedPodDisruptionBudget({ name: app, namespace: ns(app) });
      expect(pdb.status?.observedGeneration).toBe(pdb.metadata?.generation);
      expect(pdb.status?.expectedPods).toBe(expected);
      expect(pdb.status?.currentHealthy).toBe(expected);
      return pdb.status;
    }, 60_000);
    // maxUnavailable 20%, rounded up: at least one pod may always go.
    expect(status?.disruptionsAllowed).toBe(Math.ceil(expected * 0.2));
  });

  it(
    "preempts headroom placeholders when the ad server scales up into a full pool",
    async () => {
      // Fill the general pool: 12 cores, 2 taken by the ad server, the rest in 500m placeholders.
      const system = ns("harbormaster-system");
      await apps.patchNamespacedDeploymentScale(
        { name: "headroom", namespace: system, body: { spec: { replicas: 20 } } },
        requestOptions(10_000, PatchStrategy.MergePatch),
      );
      const placeholders = await running("headroom", 20, system);
      for (const pod of placeholders) expect(pod.spec?.priority).toBe(-10);

      // The floor rises as pre-scaling would raise it; four more cores are needed, and only placeholders hold them.
      await setFloor("adserver", 6);
      const adserver = await running("adserver", 6);
      for (const pod of adserver) expect(general.has(pod.spec?.nodeName ?? "")).toBe(true);
      expect(perZone(adserver)).toEqual([2, 2, 2]);

      // Eight placeholders gave their room; their replacements wait, since they never preempt anything.
      const left = await running("headroom", 12, system);
      expect(left).toHaveLength(12);
      const waiting = (await pods("headroom", system)).filter((p) => p.status?.phase === "Pending");
      expect(waiting).toHaveLength(8);
      expect(adserver.every((p) => (p.spec?.priority ?? 0) > 0)).toBe(true);
    },
    slow,
  );
});
