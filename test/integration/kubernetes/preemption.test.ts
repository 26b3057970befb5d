import type { V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pod } from "../../fixtures/workloads.ts";
import { createNamespace, createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

// Headroom relies on the real scheduler preempting low-priority placeholder pods.
describe("preemption by the real scheduler", () => {
  const { core, scheduling } = kube();
  const pool = uniqueName("preempt-pool");
  const nodeSelector = { "harbormaster.test/pool": pool };
  const placeholderClass = uniqueName("placeholder");
  let namespace: string;
  let nodeName: string;

  beforeAll(async () => {
    namespace = await createNamespace(core, "preemption");
    await scheduling.createPriorityClass({
      body: { metadata: { name: placeholderClass }, value: -10, description: "headroom placeholders" },
    });
    const node = await createNode(core, {
      instanceId: randomInstanceId(),
      labels: nodeSelector,
      capacity: { cpu: "1" },
    });
    nodeName = node.metadata?.name ?? "";
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    await core.deleteNode({ name: nodeName });
    await scheduling.deletePriorityClass({ name: placeholderClass });
  });

  async function phaseOf(name: string): Promise<V1Pod> {
    return core.readNamespacedPod({ name, namespace });
  }

  it("lets a normal pod preempt a priority -10 placeholder when the node is full", async () => {
    await core.createNamespacedPod({
      namespace,
      body: pod("placeholder", { nodeSelector, cpu: "800m", priorityClassName: placeholderClass }),
    });
    await eventually(async () => {
      const placeholder = await phaseOf("placeholder");
      expect(placeholder.status?.phase).toBe("Running");
      expect(placeholder.spec?.priority).toBe(-10);
    });

    await core.createNamespacedPod({ namespace, body: pod("service", { nodeSelector, cpu: "500m" }) });
    const service = await eventually(async () => {
      const p = await phaseOf("service");
      expect(p.status?.phase).toBe("Running");
      return p;
    });
    expect(service.spec?.nodeName).toBe(nodeName);
    const remaining = await core.listNamespacedPod({ namespace, labelSelector: "app=placeholder" });
    expect(remaining.items).toHaveLength(0);
  });

  it("does not let a placeholder preempt a normal pod", async () => {
    await core.createNamespacedPod({
      namespace,
      body: pod("late-placeholder", { nodeSelector, cpu: "800m", priorityClassName: placeholderClass }),
    });
    const pending = await eventually(async () => {
      const p = await phaseOf("late-placeholder");
      const unschedulable = p.status?.conditions?.find(
        (c) => c.type === "PodScheduled" && c.reason === "Unschedulable",
      );
      expect(unschedulable).toBeDefined();
      return p;
    });
    expect(pending.spec?.nodeName).toBeUndefined();
    expect((await phaseOf("service")).status?.phase).toBe("Running");
  });
});
