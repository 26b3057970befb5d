// `npm run stack:plan`'s table for the three-cluster example of docs/deploy.md, from the real stack graph.
import { beforeAll, describe, expect, it } from "vitest";
import { deployGuideExample } from "../../helpers/stack-graph/configs.ts";
import { type StackGraph, stackGraph } from "../../helpers/stack-graph/graph.ts";
import { planRows } from "../../helpers/stack-graph/plan-table.ts";

let graph: StackGraph;
beforeAll(async () => {
  graph = await stackGraph(deployGuideExample(), { stage: "production" });
}, 300_000);

describe("the stack plan of the docs/deploy.md example", () => {
  it("lists each region's rule targets by the logical names of the queues they feed", () => {
    const targets = planRows(graph).filter(([type]) => type === "aws.cloudwatch.EventTarget");
    expect(targets.map(([, , region, inputs]) => `${region} ${inputs}`)).toContain(
      "eu-west-1 InterruptionSpotInterruptionRuleEuWest1 → InterruptionQueueEuWest1Queue",
    );
    expect(new Set(targets.map(([, , region]) => region))).toEqual(new Set(["eu-west-1", "us-east-2"]));
  });

  it("lists an access entry per role in each of the three clusters, in its region, traffic's in the upgraded two", () => {
    const entries = planRows(graph).filter(([type]) => type === "aws.eks.AccessEntry");
    expect(entries.map(([, name, region]) => `${region} ${name}`).sort()).toEqual([
      "eu-west-1 staging-DrainAccessEntry",
      "eu-west-1 staging-InterruptionAccessEntry",
      "eu-west-1 staging-SlackWorkerAccessEntry",
      "us-east-2 production-blue-DrainAccessEntry",
      "us-east-2 production-blue-InterruptionAccessEntry",
      "us-east-2 production-blue-SlackWorkerAccessEntry",
      "us-east-2 production-blue-TrafficAccessEntry",
      "us-east-2 production-green-DrainAccessEntry",
      "us-east-2 production-green-InterruptionAccessEntry",
      "us-east-2 production-green-SlackWorkerAccessEntry",
      "us-east-2 production-green-TrafficAccessEntry",
    ]);
  });

  it("routes the upgrade event to the traffic function", () => {
    const rows = planRows(graph).map(([type, name, region, inputs]) => `${type} ${name} ${region} ${inputs}`);
    expect(rows).toContain(
      'aws.cloudwatch.EventRule TrafficUpgradeRule us-east-2 harbormaster.upgrade ["Cluster Upgrade"]',
    );
    expect(rows).toContain(
      "aws.cloudwatch.EventTarget TrafficUpgradeTarget us-east-2 TrafficUpgradeRule → TrafficHandlerFunction",
    );
  });
});

describe("a run of sst.config.ts that fails", () => {
  it("rejects with the program's own error, as the deploy would stop", async () => {
    await expect(stackGraph({ clusters: {} })).rejects.toThrow(/ConfigError: clusters: at least one cluster/);
  }, 300_000);
});
