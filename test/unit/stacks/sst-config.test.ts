import { describe, expect, it } from "vitest";
import { type Created, runStacks } from "./fake-sst.ts";

const prodVpc = { privateSubnets: ["subnet-0a1b"], securityGroups: ["sg-0a1b"] };
const greenVpc = { privateSubnets: ["subnet-0c2d"], securityGroups: ["sg-0c2d"] };
const policy = (name: string) => ({
  name,
  headroom: { namespace: "n", name: "h", unit: { cpu: "1", memory: "1Gi" }, sizing: { mode: "units", units: 1 } },
});

const one = {
  clusters: { prod: { eksCluster: "prod-eks", region: "us-east-2", vpc: prodVpc, autoScalingGroups: ["spot-a"] } },
  scaling: [policy("p")],
  slack: { defaultChannel: "C0ALERTS" },
};

// Three clusters across two regions and two VPCs; the home region is us-east-2.
const three = {
  clusters: {
    staging: { eksCluster: "staging", region: "eu-west-1", drainPolicy: { onBlocked: "force" } },
    "production-blue": { eksCluster: "prod-blue", region: "us-east-2", vpc: prodVpc, autoScalingGroups: ["blue-a"] },
    "production-green": { eksCluster: "prod-green", region: "us-east-2", vpc: greenVpc },
  },
  slack: { defaultChannel: "C0ALERTS", vpc: prodVpc },
};

const of = (created: Created[], type: string) => created.filter((r) => r.type === type);
const env = (r: Created | undefined) => (r?.args.environment ?? {}) as Record<string, string>;

describe("sst.config.ts with one cluster", () => {
  it("creates what earlier releases did, under the same names, in the home region", async () => {
    const { created } = await runStacks(one);
    expect(of(created, "aws.Provider")).toEqual([]);
    expect(of(created, "sst.aws.Queue").map((r) => r.name)).toEqual(
      expect.arrayContaining(["InterruptionQueue", "InterruptionDlq", "PrescalingQueue", "PrescalingDlq"]),
    );
    const rules = of(created, "aws.cloudwatch.EventRule").map((r) => r.name);
    expect(rules).toContain("InterruptionSpotInterruptionRule");
    expect(of(created, "aws.cloudwatch.EventTarget").map((r) => r.name)).toContain(
      "InterruptionSpotInterruptionTarget",
    );
    const handler = of(created, "sst.aws.Function").find((r) => r.name === "InterruptionHandler");
    expect(handler?.args.vpc).toEqual(prodVpc);
    expect(handler?.args.concurrency).toEqual({ reserved: 50 });
    expect(Object.keys(JSON.parse(env(handler).HARBORMASTER_CLUSTERS ?? "{}"))).toEqual(["prod"]);
    expect(env(handler)).not.toHaveProperty("HARBORMASTER_CLUSTER_NAME");
  });

  it("names access entries after the cluster and aliases their earlier names", async () => {
    const { created } = await runStacks(one);
    const entries = of(created, "aws.eks.AccessEntry");
    expect(entries.map((r) => [r.name, r.opts.aliases])).toEqual([
      ["prod-InterruptionAccessEntry", [{ name: "InterruptionAccessEntry" }]],
      ["prod-PrescalingAccessEntry", [{ name: "PrescalingAccessEntry" }]],
      ["prod-SlackWorkerAccessEntry", [{ name: "SlackWorkerAccessEntry" }]],
    ]);
  });
});

describe("sst.config.ts outputs", () => {
  it("keeps the earlier outputs for a single group, and lists every group by its key", async () => {
    const single = (await runStacks(one)).outputs as Record<string, unknown>;
    expect(String(single.interruptionQueueUrl)).toBe("InterruptionQueue.url");
    expect(Object.keys(single.clusterGroups as object)).toEqual([expect.stringMatching(/^us-east-2-vpc-[0-9a-f]{8}$/)]);
    const several = (await runStacks(three)).outputs as Record<string, unknown>;
    expect(several).not.toHaveProperty("interruptionQueueUrl");
    const groups = several.clusterGroups as Record<string, { clusters: string[] }>;
    expect(
      Object.values(groups)
        .map((g) => g.clusters)
        .sort(),
    ).toEqual([["production-blue"], ["production-green"], ["staging"]]);
    expect(Object.keys(groups)).toContain("eu-west-1");
  });
});

describe("sst.config.ts with three clusters in two regions and two VPCs", () => {
  it("makes one provider for the region away from home, and one rule set per region", async () => {
    const { created } = await runStacks(three);
    expect(of(created, "aws.Provider").map((r) => r.args)).toEqual([{ region: "eu-west-1" }]);
    const rules = of(created, "aws.cloudwatch.EventRule");
    const west = rules.filter((r) => r.opts.provider?.name === "AwsEuWest1");
    expect(west.map((r) => r.name).sort()).toEqual(
      rules
        .filter((r) => r.name.endsWith("RuleEuWest1"))
        .map((r) => r.name)
        .sort(),
    );
    expect(west).toHaveLength(5);
    expect(rules.filter((r) => r.name.endsWith("RuleUsEast2") && !r.opts.provider)).toHaveLength(5);
  });

  it("gives each VPC of a region its own queue and function, each a target of the region's rules", async () => {
    const { created } = await runStacks(three);
    const handlers = of(created, "sst.aws.Function").filter((r) => r.name.startsWith("InterruptionHandler"));
    const served = handlers.map((h) => [Object.keys(JSON.parse(env(h).HARBORMASTER_CLUSTERS ?? "{}")), h.args.vpc]);
    expect(served).toEqual(
      expect.arrayContaining([
        [["staging"], undefined],
        [["production-blue"], prodVpc],
        [["production-green"], greenVpc],
      ]),
    );
    expect(handlers).toHaveLength(3);
    const targets = of(created, "aws.cloudwatch.EventTarget");
    const spot = targets.filter((t) => t.name.startsWith("InterruptionSpotInterruptionTarget"));
    // us-east-2's spot rule feeds both of its groups; eu-west-1's feeds its one.
    expect(spot.map((t) => [String(t.args.rule), t.opts.provider?.name]).sort()).toEqual(
      [
        ["InterruptionSpotInterruptionRuleEuWest1.name", "AwsEuWest1"],
        ["InterruptionSpotInterruptionRuleUsEast2.name", undefined],
        ["InterruptionSpotInterruptionRuleUsEast2.name", undefined],
      ].sort(),
    );
    expect(new Set(spot.map((t) => String(t.args.arn))).size).toBe(3);
    expect(of(created, "aws.sqs.QueuePolicy").filter((p) => p.name.startsWith("InterruptionQueuePolicy"))).toHaveLength(
      3,
    );
  });

  it("creates every cluster's access entries in its region, for its group's role and the Slack worker's", async () => {
    const { created } = await runStacks(three);
    const entries = of(created, "aws.eks.AccessEntry");
    expect(entries.map((e) => [e.name, e.args.clusterName, e.opts.provider?.name, e.opts.aliases]).sort()).toEqual(
      [
        ["production-blue-InterruptionAccessEntry", "prod-blue", undefined, undefined],
        ["production-blue-SlackWorkerAccessEntry", "prod-blue", undefined, undefined],
        ["production-green-InterruptionAccessEntry", "prod-green", undefined, undefined],
        ["production-green-SlackWorkerAccessEntry", "prod-green", undefined, undefined],
        ["staging-InterruptionAccessEntry", "staging", "AwsEuWest1", undefined],
        ["staging-SlackWorkerAccessEntry", "staging", "AwsEuWest1", undefined],
      ].sort(),
    );
    const principal = (name: string) => String(entries.find((e) => e.name === name)?.args.principalArn);
    expect(principal("staging-InterruptionAccessEntry")).toMatch(/^InterruptionHandlerEuWest1\./);
    expect(principal("production-blue-InterruptionAccessEntry")).not.toBe(
      principal("production-green-InterruptionAccessEntry"),
    );
  });

  it("puts the alarms of each region's functions in that region", async () => {
    const { created } = await runStacks(three);
    const alarms = of(created, "aws.cloudwatch.MetricAlarm");
    const west = alarms.filter((a) => a.opts.provider?.name === "AwsEuWest1").map((a) => a.name);
    expect(west.sort()).toEqual([
      "InterruptionEuWest1DlqDepthAlarm",
      "InterruptionEuWest1ErrorsAlarm",
      "InterruptionEuWest1ThrottlesAlarm",
    ]);
    expect(alarms.map((a) => a.name)).toContain("SlackCommandErrorsAlarm");
  });
});
