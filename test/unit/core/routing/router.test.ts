import { describe, expect, it } from "vitest";
import {
  ClusterRouter,
  type ResourceDirectory,
  type RoutableCluster,
} from "../../../../functions/core/routing/router.ts";
import { eksClusterFromTags, type ResourceTag } from "../../../../functions/core/routing/tags.ts";

// The directory and clusters are the router's ports; these record what the router asked of them.
function world(options: {
  instanceTags?: Record<string, ResourceTag[]>;
  groupTags?: Record<string, ResourceTag[]>;
  nodes?: Record<string, string[]>;
  /** Nodes found only by the instance's DNS names (no providerID). */
  named?: Record<string, string[]>;
  down?: string[];
}) {
  const calls = { instances: [] as string[][], groups: [] as string[][], nodes: [] as string[], named: [] as string[] };
  const directory: ResourceDirectory = {
    instanceTags: async (ids) => {
      calls.instances.push([...ids]);
      return new Map(ids.flatMap((id) => (options.instanceTags?.[id] ? [[id, options.instanceTags[id]]] : [])));
    },
    groupTags: async (names) => {
      calls.groups.push([...names]);
      return new Map(names.flatMap((n) => (options.groupTags?.[n] ? [[n, options.groupTags[n]]] : [])));
    },
  };
  const cluster = (name: string, eksCluster: string, autoScalingGroups: string[] = []): RoutableCluster => ({
    name,
    eksCluster,
    autoScalingGroups,
    hasNode: async (id) => {
      calls.nodes.push(`${name}:${id}`);
      if (options.down?.includes(name)) throw new Error(`${name} is down`);
      return options.nodes?.[name]?.includes(id) ?? false;
    },
    hasNodeNamed: async (id) => {
      calls.named.push(`${name}:${id}`);
      if (options.down?.includes(name)) throw new Error(`${name} is down`);
      return options.named?.[name]?.includes(id) ?? false;
    },
  });
  let now = 0;
  const clusters = [cluster("blue", "eks-blue", ["blue-spot"]), cluster("green", "eks-green")];
  const router = new ClusterRouter(clusters, directory, () => now);
  const advance = (ms: number) => {
    now += ms;
  };
  return { router, calls, advance };
}

const tag = (key: string, value = "owned") => ({ key, value });

describe("eksClusterFromTags", () => {
  it.each([
    [[tag("eks:cluster-name", "prod")], "prod"],
    [[tag("aws:eks:cluster-name", "prod")], "prod"],
    [[tag("kubernetes.io/cluster/prod")], "prod"],
    [[tag("Name", "x"), tag("kubernetes.io/cluster/")], undefined],
    [[], undefined],
  ])("reads %j as %s", (tags, expected) => {
    expect(eksClusterFromTags(tags)).toBe(expected);
  });
});

describe("ClusterRouter", () => {
  it("routes a whole batch by instance tags in one directory call, and caches the answers", async () => {
    const { router, calls } = world({
      instanceTags: {
        "i-1": [tag("eks:cluster-name", "eks-blue")],
        "i-2": [tag("kubernetes.io/cluster/eks-green")],
        "i-3": [tag("eks:cluster-name", "eks-other")],
      },
    });
    const routes = await router.route([{ instanceId: "i-1" }, { instanceId: "i-2" }, { instanceId: "i-3" }]);
    expect(routes.get("i-1")).toEqual({ status: "routed", cluster: "blue", by: "tags" });
    expect(routes.get("i-2")).toEqual({ status: "routed", cluster: "green", by: "tags" });
    expect(routes.get("i-3")).toEqual({ status: "foreign", eksCluster: "eks-other" });
    expect(calls.instances).toEqual([["i-1", "i-2", "i-3"]]);
    expect(calls.nodes).toEqual([]);
    await router.route([{ instanceId: "i-1" }, { instanceId: "i-3" }]);
    expect(calls.instances).toHaveLength(1);
  });

  it("routes lifecycle messages by the configured ASG first, then by the ASG's tags", async () => {
    const { router, calls } = world({ groupTags: { "green-od": [tag("eks:cluster-name", "eks-green")] } });
    const routes = await router.route([
      { instanceId: "i-1", groupName: "blue-spot" },
      { instanceId: "i-2", groupName: "green-od" },
    ]);
    expect(routes.get("i-1")).toEqual({ status: "routed", cluster: "blue", by: "asg" });
    expect(routes.get("i-2")).toEqual({ status: "routed", cluster: "green", by: "asg" });
    expect(calls.groups).toEqual([["green-od"]]);
    // Described all the same, in one call: a terminating instance's node is then found by its name.
    expect(calls.instances).toEqual([["i-1", "i-2"]]);
  });

  it("looks for the node in every cluster when no tag names one, and calls an instance nobody has foreign", async () => {
    const { router, calls } = world({ nodes: { green: ["i-9"] } });
    const routes = await router.route([{ instanceId: "i-9" }, { instanceId: "i-0" }]);
    expect(routes.get("i-9")).toEqual({ status: "routed", cluster: "green", by: "node" });
    expect(routes.get("i-0")).toEqual({ status: "foreign" });
    expect(calls.nodes.sort()).toEqual(["blue:i-0", "blue:i-9", "green:i-0", "green:i-9"]);
  });

  it("does not call an instance foreign while a cluster that may hold it cannot be asked", async () => {
    const { router } = world({ nodes: { green: ["i-9"] }, down: ["blue"] });
    const routes = await router.route([{ instanceId: "i-9" }, { instanceId: "i-0" }]);
    expect(routes.get("i-9")).toEqual({ status: "routed", cluster: "green", by: "node" });
    expect(routes.get("i-0")).toMatchObject({ status: "unreachable", clusters: ["blue"] });
    // Unreachable is never cached: the next batch asks again.
    const again = await router.route([{ instanceId: "i-0" }]);
    expect(again.get("i-0")?.status).toBe("unreachable");
  });

  it("forgets a foreign answer after a minute, so a node that joins later is found", async () => {
    const state = { nodes: { blue: [] as string[] } };
    const { router, advance } = world(state);
    expect((await router.route([{ instanceId: "i-5" }])).get("i-5")?.status).toBe("foreign");
    state.nodes.blue.push("i-5");
    advance(30_000);
    expect((await router.route([{ instanceId: "i-5" }])).get("i-5")?.status).toBe("foreign");
    advance(31_000);
    expect((await router.route([{ instanceId: "i-5" }])).get("i-5")).toMatchObject({ cluster: "blue" });
  });
});

describe("ClusterRouter with one cluster", () => {
  it("routes lifecycle messages to it, and others by its node list, then by DNS names in one EC2 call", async () => {
    const asked: string[] = [];
    const only: RoutableCluster = {
      name: "solo",
      eksCluster: "eks-solo",
      autoScalingGroups: [],
      hasNode: async (id) => {
        asked.push(id);
        return id === "i-node";
      },
      hasNodeNamed: async (id) => id === "i-named",
    };
    const described: string[][] = [];
    const router = new ClusterRouter(
      [only],
      {
        instanceTags: async (ids) => {
          described.push([...ids]);
          return new Map();
        },
        groupTags: async () => {
          throw new Error("no ASG lookups with one cluster");
        },
      },
      () => 0,
    );
    const routes = await router.route([
      { instanceId: "i-launching", groupName: "any-group" },
      { instanceId: "i-node" },
      { instanceId: "i-named" },
      { instanceId: "i-gone" },
    ]);
    expect(routes.get("i-launching")).toEqual({ status: "routed", cluster: "solo", by: "asg" });
    expect(routes.get("i-node")).toEqual({ status: "routed", cluster: "solo", by: "node" });
    expect(routes.get("i-named")).toEqual({ status: "routed", cluster: "solo", by: "node" });
    expect(routes.get("i-gone")).toEqual({ status: "foreign" });
    expect(asked.sort()).toEqual(["i-gone", "i-named", "i-node"]);
    // The whole batch in one call, before any node is looked for; nothing described twice.
    expect(described).toEqual([["i-launching", "i-node", "i-named", "i-gone"]]);
  });
});

describe("ClusterRouter describing a batch", () => {
  it("describes the batch once, first: tags route what they name, nodes are asked only about the rest", async () => {
    const { router, calls } = world({
      nodes: { green: ["i-untagged"] },
      instanceTags: { "i-new": [tag("eks:cluster-name", "eks-blue")], "i-lost": [tag("eks:cluster-name", "eks-blue")] },
    });
    const routes = await router.route([
      { instanceId: "i-untagged" },
      { instanceId: "i-lost" },
      { instanceId: "i-new" },
    ]);
    expect(routes.get("i-untagged")).toEqual({ status: "routed", cluster: "green", by: "node" });
    expect(routes.get("i-new")).toEqual({ status: "routed", cluster: "blue", by: "tags" });
    // Its node gone, its tags still route it, so its drain can finish or clean up.
    expect(routes.get("i-lost")).toEqual({ status: "routed", cluster: "blue", by: "tags" });
    expect(calls.instances).toEqual([["i-untagged", "i-lost", "i-new"]]);
    expect(calls.nodes.sort()).toEqual(["blue:i-untagged", "green:i-untagged"]);
    expect(calls.named).toEqual([]);
  });

  it("asks EC2 once more, for what no node names, when describing the batch failed", async () => {
    let failures = 1;
    const asked: string[][] = [];
    const router = new ClusterRouter(
      [
        {
          name: "solo",
          eksCluster: "eks-solo",
          autoScalingGroups: [],
          hasNode: async (id) => id === "i-node",
          hasNodeNamed: async (id) => id === "i-named",
        },
      ],
      {
        instanceTags: async (ids) => {
          asked.push([...ids]);
          if (failures-- > 0) throw new Error("throttled");
          return new Map();
        },
        groupTags: async () => new Map(),
      },
      () => 0,
    );
    const routes = await router.route([{ instanceId: "i-node" }, { instanceId: "i-named" }]);
    expect(routes.get("i-named")).toEqual({ status: "routed", cluster: "solo", by: "node" });
    expect(asked).toEqual([["i-node", "i-named"], ["i-named"]]);
  });
});
