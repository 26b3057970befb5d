import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createCluster, eventually } from "../../helpers/testbed.ts";
import { type UpgradeWorld, upgradeWorld } from "./rig.ts";

describe("the ready gate refuses a green cluster that cannot take the traffic", () => {
  let green: Cluster;
  const worlds: UpgradeWorld[] = [];
  beforeAll(async () => {
    green = await createCluster({ name: "green" });
  }, 120_000);
  afterAll(async () => {
    for (const w of worlds) await w.cleanup();
    await green?.close();
  });
  const world = async (options: Parameters<typeof upgradeWorld>[1]) => {
    const w = await upgradeWorld(green, options);
    worlds.push(w);
    return w;
  };
  const web = { name: "web", replicas: 2, min: 2, max: 10 };

  async function refusedWith(w: UpgradeWorld): Promise<string[]> {
    await w.command("start");
    expect(await w.weights()).toEqual({ blue: 100, green: 0 });
    expect(await w.metadata()).toBeUndefined();
    for (const which of ["blue", "green"] as const) expect(await w.held(which, "web")).toBe(false);
    const refused = w.notifications.find((n) => n.type === "upgrade_refused");
    return refused?.type === "upgrade_refused" ? refused.missing : [];
  }

  it("names a Deployment (and its HPA) that blue runs and green does not", async () => {
    const w = await world({ blue: [web, { ...web, name: "api" }], green: [web] });
    await w.untilReady("green", "web", 2);
    expect(await refusedWith(w)).toEqual([
      `green: deployment ${w.namespace}/api is missing`,
      `green: hpa ${w.namespace}/api is missing`,
    ]);
  });

  it("names a Deployment that is not Available", async () => {
    const w = await world({ blue: [web], green: [] });
    // Its pods ask for a pool green has no node in: the Deployment never becomes Available.
    await w.clusters.green.apps.createNamespacedDeployment({
      namespace: w.namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: {
              nodeSelector: { "harbormaster.test/pool": "nowhere" },
              containers: [{ name: "app", image: "app:1" }],
            },
          },
        },
      },
    });
    await w.deployHpaOnly("green", web);
    await eventually(async () => {
      const d = await w.clusters.green.apps.readNamespacedDeployment({ namespace: w.namespace, name: "web" });
      if (!d.status?.conditions?.some((c) => c.type === "Available" && c.status === "False"))
        throw new Error("not yet");
    });
    expect(await refusedWith(w)).toEqual([`green: deployment ${w.namespace}/web is not Available (0/2 ready)`]);
  });

  it("names green's nodes that are not Ready", async () => {
    const w = await world({ blue: [web], green: [web] });
    await w.untilReady("green", "web", 2);
    // No kubelet (kwok manages only annotated nodes) ever reports this one Ready.
    const name = `not-ready-${w.namespace}`;
    await w.clusters.green.core.createNode({ body: { metadata: { name } } });
    try {
      expect(await refusedWith(w)).toEqual([`green: node ${name} is not Ready`]);
    } finally {
      await w.clusters.green.core.deleteNode({ name });
    }
    await w.command("start", {}, "after-the-node-left");
    // Green's 2 Ready pods already cover ceil(2 × 50 % × 1.2): the first step goes at once.
    expect(await w.metadata()).toMatchObject({ upgrade: "web", phase: "baking", step: 0 });
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });
  });
});
