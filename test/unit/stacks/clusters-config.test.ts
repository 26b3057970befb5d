import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseClusters } from "../../../functions/config/clusters.ts";
import { ConfigError } from "../../../stacks/config-error.ts";
import { configSchema, validateConfig } from "../../../stacks/config-schema.ts";
import { featureEnvironment } from "../../../stacks/feature-environment.ts";

const blueVpc = { privateSubnets: ["subnet-0a1b"], securityGroups: ["sg-0a1b"] };
const greenVpc = { privateSubnets: ["subnet-0c2d"], securityGroups: ["sg-0c2d"] };

// Three clusters across two regions and two VPCs.
const three = {
  clusters: {
    staging: { eksCluster: "staging", region: "eu-west-1", autoScalingGroups: ["staging-spot"] },
    "production-blue": {
      eksCluster: "prod-blue",
      region: "us-east-2",
      vpc: blueVpc,
      autoScalingGroups: ["blue-spot-a", "blue-spot-b"],
    },
    "production-green": {
      eksCluster: "prod-green",
      region: "us-east-2",
      vpc: greenVpc,
      drainPolicy: { onBlocked: "force" },
    },
  },
  drainPolicy: { onBlocked: "wait", lifecycleOnFailure: "ABANDON" },
};

function errorOf(raw: unknown): string {
  try {
    validateConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("the config was accepted");
}

const defaults = { region: "us-east-1", actions: {}, drainPolicy: three.drainPolicy };

describe("a deployment of several clusters", () => {
  it("gives each group's functions exactly the clusters of its region and VPC", () => {
    const env = featureEnvironment(validateConfig(three));
    const served = env.groups.map((g) => parseClusters(g.interruption, defaults).map((c) => c.name));
    expect(served).toEqual([["staging"], expect.any(Array), expect.any(Array)]);
    expect(served.slice(1).flat().sort()).toEqual(["production-blue", "production-green"]);
    expect(env.regions.map((r) => r.region)).toEqual(["eu-west-1", "us-east-2"]);
  });

  it("merges a cluster's drain policy over the deployment's, for that cluster only", () => {
    const env = featureEnvironment(validateConfig(three));
    const clusters = env.groups.flatMap((g) => parseClusters(g.interruption, defaults));
    const policy = (name: string) => clusters.find((c) => c.name === name)?.policy;
    expect(policy("production-green")).toMatchObject({ onBlocked: "force", lifecycleOnFailure: "ABANDON" });
    expect(policy("production-blue")).toMatchObject({ onBlocked: "wait", lifecycleOnFailure: "ABANDON" });
    expect(clusters.find((c) => c.name === "production-blue")?.autoScalingGroups).toEqual([
      "blue-spot-a",
      "blue-spot-b",
    ]);
  });

  it("names the cluster and the field of an unknown key in a cluster's drain policy", () => {
    const bad = structuredClone(three);
    bad.clusters["production-green"].drainPolicy = {
      onBlocked: "force",
      nope: 1,
    } as (typeof bad.clusters)["production-green"]["drainPolicy"];
    const message = errorOf(bad);
    expect(message).toMatch(/^clusters\.production-green\.drainPolicy: /);
    expect(message).toContain("nope");
  });

  it("names the cluster of a bad action override, and blames the deployment's own table on no cluster", () => {
    const bad = structuredClone(three) as Record<string, unknown> & typeof three;
    (bad.clusters.staging as Record<string, unknown>).actions = { spot_interruption: "explode" };
    expect(errorOf(bad)).toMatch(/^clusters\.staging\.actions: /);
    expect(errorOf({ ...three, drainPolicy: { nope: 1 } })).toMatch(/^drainPolicy: .*nope/);
  });

  it("requires a pre-scaling policy to name its cluster once there are several, and a configured one", () => {
    const policy = {
      name: "p",
      headroom: { namespace: "n", name: "h", unit: { cpu: "1", memory: "1Gi" }, sizing: { mode: "units", units: 1 } },
    };
    expect(errorOf({ ...three, scaling: [policy] })).toBe(
      "scaling[0].clusters: required when more than one cluster is configured",
    );
    expect(errorOf({ ...three, scaling: [{ ...policy, clusters: ["production-purple"] }] })).toMatch(
      /^scaling\[0\]\.clusters: no cluster named "production-purple"/,
    );
  });

  it("hands each group only its clusters' policies, and a pre-scaling function to every group", () => {
    // The top-level schema only: the policies' own schema is the function's (validateConfig runs it).
    const config = configSchema.parse({
      ...three,
      scaling: [
        { name: "blue-peak", clusters: ["production-blue"] },
        { name: "staging-peak", clusters: ["staging"] },
        { name: "upgrade", clusters: ["production-blue", "production-green"] },
      ],
    });
    const env = featureEnvironment(config);
    const policies = env.groups.map((g) => ({
      clusters: g.group.clusters,
      policies: JSON.parse(g.prescaling?.HARBORMASTER_PRESCALING_POLICIES ?? "null").map(
        (p: { name: string }) => p.name,
      ),
    }));
    expect(policies).toEqual(
      expect.arrayContaining([
        { clusters: ["staging"], policies: ["staging-peak"] },
        { clusters: ["production-blue"], policies: ["blue-peak", "upgrade"] },
        { clusters: ["production-green"], policies: ["upgrade"] },
      ]),
    );
    for (const g of env.groups)
      expect(Object.keys(JSON.parse(g.prescaling?.HARBORMASTER_CLUSTERS ?? "{}"))).toEqual(g.group.clusters);
  });

  it("accepts, through the function's own loader, a policy that holds objects in two groups' clusters", () => {
    const headroom = {
      namespace: "n",
      name: "h",
      unit: { cpu: "1", memory: "1Gi" },
      sizing: { mode: "units", units: 1 },
    };
    const upgrade = { name: "upgrade", alarms: ["a"], headroom, clusters: ["production-blue", "production-green"] };
    expect(() => validateConfig({ ...three, scaling: [upgrade] })).not.toThrow();
    // And one naming a cluster the function would not serve fails as the function would.
    expect(errorOf({ ...three, scaling: [{ ...upgrade, clusters: ["production-blue", "nope"] }] })).toMatch(
      /^scaling\[0\]\.clusters: no cluster named "nope"/,
    );
  });

  it("refuses more VPC placements in a region than a rule takes targets", () => {
    const clusters = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [
        `c${i}`,
        {
          eksCluster: `c${i}`,
          region: "us-east-2",
          vpc: { privateSubnets: [`subnet-0${i}`], securityGroups: ["sg-01"] },
        },
      ]),
    );
    expect(errorOf({ clusters })).toBe(
      "clusters: us-east-2 has clusters in 6 VPC placements; its rules feed at most 5",
    );
  });

  it("asks where the Slack worker runs when the clusters sit in several VPCs", () => {
    const withSlack = { ...three, slack: { defaultChannel: "C0ALERTS" } };
    expect(errorOf(withSlack)).toMatch(/^slack\.vpc: /);
    expect(() => validateConfig({ ...withSlack, slack: { ...withSlack.slack, vpc: blueVpc } })).not.toThrow();
  });

  it("takes one alarm topic, or one per region", () => {
    const topics = ["arn:aws:sns:us-east-2:123456789012:alarms", "arn:aws:sns:eu-west-1:123456789012:alarms"];
    expect(validateConfig({ ...three, alarmTopicArn: topics }).alarmTopicArn).toEqual(topics);
    expect(errorOf({ ...three, alarmTopicArn: ["arn:aws:sqs:us-east-2:123456789012:q"] })).toContain("alarmTopicArn");
  });
});

describe.each([
  ["docs/deploy.md", ["docs", "deploy.md"]],
  ["README.md", ["README.md"]],
])("the three-cluster example in %s", (_name, path) => {
  const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", ...path), "utf8");
  const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? "null");

  it("is accepted, and plans two regions and the groups the guide describes", () => {
    const env = featureEnvironment(validateConfig(example));
    expect(Object.keys(example.clusters)).toHaveLength(3);
    expect(env.regions.map((r) => [r.region, r.groups.map((g) => g.clusters)])).toEqual([
      ["eu-west-1", [["staging"]]],
      ["us-east-2", [["production-blue", "production-green"]]],
    ]);
  });
});

describe("the room in a function's environment", () => {
  it("refuses a group whose clusters would not fit Lambda's 4 KB, naming them", () => {
    const groups = Array.from({ length: 200 }, (_, i) => `production-blue-spot-group-${i}`);
    const big = {
      clusters: {
        ...three.clusters,
        "production-blue": { ...three.clusters["production-blue"], autoScalingGroups: groups },
      },
    };
    expect(errorOf(big)).toMatch(/^clusters: the interruption function of production-blue would take \d+ bytes/);
  });
});
