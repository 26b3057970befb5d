// sst.config.ts run under Pulumi's mocks with SST's real components (test/helpers/stack-graph), for one and
// for three clusters, with Slack on and off; every check reads the recorded resource graph.
import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../../stacks/config-schema.ts";
import {
  accessEntries,
  accessPolicies,
  expectedAccess,
  expectedOutputs,
  groupFunction,
  iamFindings,
} from "../../helpers/stack-graph/cluster-findings.ts";
import {
  deployGuideExample,
  oneCluster,
  oneClusterBare,
  threeClusters,
  threeClustersNoSlack,
} from "../../helpers/stack-graph/configs.ts";
import {
  alarmFindings,
  environmentFindings,
  mappingFindings,
  ruleFindings,
} from "../../helpers/stack-graph/findings.ts";
import { type StackGraph, stackGraph } from "../../helpers/stack-graph/graph.ts";
import { upgradeFindings } from "../../helpers/stack-graph/upgrade-findings.ts";
import { types } from "../../helpers/stack-graph/wiring.ts";

const configs = {
  "one cluster, every feature": oneCluster,
  "one cluster, Slack off": oneClusterBare,
  "three clusters in two regions and two VPCs": threeClusters,
  "three clusters, Slack off": threeClustersNoSlack,
  "the docs/deploy.md example, with an upgrade of blue to green": deployGuideExample(),
};
type Case = keyof typeof configs;
const graphs = new Map<Case, StackGraph>();

// Each run is a Node process building and running the whole program: a few seconds, more on a busy machine.
beforeAll(async () => {
  const runs = Object.entries(configs).map(async ([name, config]) =>
    graphs.set(name as Case, await stackGraph(config)),
  );
  await Promise.all(runs);
}, 600_000);

describe.each(Object.keys(configs) as Case[])("sst.config.ts, %s", (name) => {
  const graph = () => graphs.get(name) as StackGraph;
  const config = validateConfig(configs[name]);

  it("gives every Lambda the environment its own loader accepts, wired to the graph's queues", () => {
    expect(environmentFindings(graph())).toEqual([]);
  });

  it("points every EventBridge rule at the queue or function of the events' handler", () => {
    expect(ruleFindings(graph())).toEqual([]);
  });

  it("reads each queue with partial batch responses and a role that may poll it; redrive as documented", () => {
    expect(mappingFindings(graph())).toEqual([]);
  });

  it("creates one access entry and one view-policy association per role in every configured cluster", () => {
    const expected = expectedAccess(graph(), config).sort();
    expect(accessEntries(graph()).sort()).toEqual(expected);
    expect(accessPolicies(graph()).sort()).toEqual(expected);
  });

  it("scopes every IAM statement to the graph's resources and the configured clusters, * only where unscopable", () => {
    expect(iamFindings(graph(), config)).toEqual([]);
  });

  it("gives the traffic function the upgrades, the clusters they name and their rule and alarms; Slack their names", () => {
    expect(upgradeFindings(graph(), config)).toEqual([]);
  });

  it("alarms on every dead-letter queue and on every function's errors, in their region", () => {
    expect(alarmFindings(graph())).toEqual([]);
  });

  it("returns the outputs docs/deploy.md lists", () => {
    // SST adds `_protect` for its CLI, which does not print underscored outputs.
    const printed = Object.fromEntries(Object.entries(graph().outputs).filter(([key]) => !key.startsWith("_")));
    expect(printed).toEqual(expectedOutputs(graph(), config, "test"));
  });
});

describe("sst.config.ts names and placement", () => {
  const components = (g: StackGraph, type: string) => g.of(type).map((r) => r.name);

  it("keeps the names of earlier releases for one cluster, and aliases its access entries' earlier names", () => {
    const g = graphs.get("one cluster, every feature") as StackGraph;
    expect(g.of("pulumi:providers:aws")).toEqual([]);
    expect(components(g, "sst:aws:Queue")).toEqual(
      expect.arrayContaining([
        "InterruptionQueue",
        "InterruptionDlq",
        "DrainQueue",
        "PrescalingQueue",
        "PrescalingDlq",
      ]),
    );
    expect(components(g, "sst:aws:Function")).toEqual(
      expect.arrayContaining(["InterruptionHandler", "DrainHandler", "PrescalingHandler"]),
    );
    expect(components(g, types.rule)).toContain("InterruptionSpotInterruptionRule");
    expect(
      g
        .of(types.accessEntry)
        .map((e) => [e.name, e.aliases])
        .sort(),
    ).toEqual(
      [
        ["prod-DrainAccessEntry", ["DrainAccessEntry"]],
        ["prod-InterruptionAccessEntry", ["InterruptionAccessEntry"]],
        ["prod-PrescalingAccessEntry", ["PrescalingAccessEntry"]],
        ["prod-SlackWorkerAccessEntry", ["SlackWorkerAccessEntry"]],
      ].sort(),
    );
  });

  it("makes one provider for the region away from home, and runs each group's function in its VPC", () => {
    const g = graphs.get("three clusters in two regions and two VPCs") as StackGraph;
    expect(g.of("pulumi:providers:aws").map((p) => p.inputs.region)).toEqual(["eu-west-1"]);
    const placement = threeClusters.clusters;
    for (const [name, cluster] of Object.entries(placement)) {
      const fn = groupFunction(g, "interruptions", [name]);
      const vpc = fn?.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] } | undefined;
      const expected =
        "vpc" in cluster
          ? { subnetIds: cluster.vpc.privateSubnets, securityGroupIds: cluster.vpc.securityGroups }
          : undefined;
      expect({ name, region: fn?.region, vpc }).toEqual({ name, region: cluster.region, vpc: expected });
    }
  });
});
