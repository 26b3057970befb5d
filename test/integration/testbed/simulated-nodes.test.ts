import { afterAll, describe, expect, it } from "vitest";
import { createNode, kube, randomInstanceId } from "../../helpers/testbed.ts";
import { isReady } from "../../testbed/nodes.ts";

describe("simulated nodes", () => {
  const { core } = kube();
  const created: string[] = [];

  afterAll(async () => {
    for (const name of created) await core.deleteNode({ name });
  });

  it("carries the instance id in spec.providerID and zone labels, and kwok makes it Ready", async () => {
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId, zone: "us-east-2b" });
    created.push(node.metadata?.name ?? "");

    expect(node.spec?.providerID).toBe(`aws:///us-east-2b/${instanceId}`);
    expect(node.metadata?.labels?.["topology.kubernetes.io/zone"]).toBe("us-east-2b");
    expect(node.metadata?.labels?.["topology.kubernetes.io/region"]).toBe("us-east-2");
    expect(node.metadata?.name).toMatch(/^ip-10-\d+-\d+-\d+\.us-east-2\.compute\.internal$/);
    expect(isReady(node)).toBe(true);
  });

  it("can be created with taints", async () => {
    const taint = { key: "harbormaster.io/test", value: "x", effect: "NoSchedule" };
    const node = await createNode(core, { instanceId: randomInstanceId(), taints: [taint] });
    created.push(node.metadata?.name ?? "");
    expect(node.spec?.taints).toEqual([taint]);
  });
});
