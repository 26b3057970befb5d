import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import { createNamespace, eventually, type Kube, kube, randomInstanceId } from "../../helpers/testbed.ts";
import { createSimulatedNode } from "../../testbed/nodes.ts";
import { silentProgress } from "../../testbed/progress.ts";
import { startTestbed, type Testbed } from "../../testbed/testbed.ts";

// A cluster of this file's own, so restarting its apiserver disturbs no other test.
describe("a drain across an apiserver restart", () => {
  let testbed: Testbed;
  let clients: Kube;

  beforeAll(async () => {
    testbed = await startTestbed({ progress: silentProgress });
    clients = kube(testbed.endpoints.kubeconfigPath);
  }, 90_000);

  afterAll(async () => {
    await testbed?.stop();
  });

  it("keeps draining while the apiserver restarts and completes afterwards", async () => {
    const { core, policy } = clients;
    const namespace = await createNamespace(core, "restart");
    const selector = { "harbormaster.test/pool": "restart" };
    const instanceId = randomInstanceId();
    const node = await createSimulatedNode(core, { instanceId, labels: selector });
    const nodeName = node.metadata?.name ?? "";
    await workload(namespace, "app", 1, selector, 1, clients); // blocked until the budget is relaxed

    const rig = await interruptionRig({ KUBECONFIG: testbed.endpoints.kubeconfigPath });
    await rig.put(eventFor(awsEvent("spot-interruption"), instanceId));
    const invocation = rig.poll({ remainingMs: 80_000 });

    await eventually(async () => {
      const state = (await core.readNode({ name: nodeName })).metadata?.annotations?.["harbormaster.io/interruption"];
      expect(state).toContain('"phase":"draining"');
    });
    await testbed.restart("kube-apiserver");
    await eventually(() =>
      policy.patchNamespacedPodDisruptionBudget({
        name: "app",
        namespace,
        body: [{ op: "replace", path: "/spec/minAvailable", value: 0 }],
      }),
    );

    const { failed } = await invocation;
    expect(failed).toEqual([]);
    expect(await podsOnNode(nodeName, core)).toHaveLength(0);
    expect(rig.notifications.map((n) => n.type)).toEqual(["drain_started", "drain_blocked", "drain_completed"]);
  });
});
