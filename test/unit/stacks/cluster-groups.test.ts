import { describe, expect, it } from "vitest";
import { groupNameParts, maxGroupsPerRegion, placementKey, planRegions } from "../../../stacks/cluster-groups.ts";
import { ConfigError } from "../../../stacks/config-error.ts";
import { slackWorkerVpc } from "../../../stacks/network.ts";

const prodVpc = { privateSubnets: ["subnet-0a1", "subnet-0b2"], securityGroups: ["sg-0c3"] };
const greenVpc = { privateSubnets: ["subnet-0d4"], securityGroups: ["sg-0e5"] };

// Three clusters across two regions and two VPCs: staging on a public endpoint in eu-west-1, and the two
// production clusters of a blue-green upgrade in us-east-2, each in its own VPC.
const three = {
  staging: { region: "eu-west-1" },
  "production-blue": { region: "us-east-2", vpc: prodVpc },
  "production-green": { region: "us-east-2", vpc: greenVpc },
};

describe("grouping clusters into the functions that serve them", () => {
  it("gives one cluster one group and one region, both without a suffix, so its names stay as they were", () => {
    expect(planRegions({ prod: { region: "us-east-2", vpc: prodVpc } })).toEqual([
      {
        region: "us-east-2",
        id: "",
        groups: [
          {
            key: placementKey({ region: "us-east-2", vpc: prodVpc }),
            id: "",
            region: "us-east-2",
            vpc: prodVpc,
            clusters: ["prod"],
          },
        ],
      },
    ]);
  });

  it("gives each region its rule set and each VPC of a region its own group", () => {
    const plan = planRegions(three);
    expect(plan.map((r) => [r.region, r.id, r.groups.map((g) => g.clusters)])).toEqual([
      ["eu-west-1", "EuWest1", [["staging"]]],
      ["us-east-2", "UsEast2", expect.arrayContaining([["production-blue"], ["production-green"]])],
    ]);
    const ids = plan.flatMap((r) => r.groups.map((g) => g.id));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^(EuWest1|UsEast2Vpc[0-9A-F][0-9a-f]{7})$/);
    const blue = plan[1]?.groups.find((g) => g.clusters.includes("production-blue"));
    expect(blue?.vpc).toEqual(prodVpc);
    expect(groupNameParts(blue ?? { id: "", key: "" })).toEqual([blue?.key]);
  });

  it("lets clusters of one region and one VPC share a group, whatever the order of their subnets", () => {
    const plan = planRegions({
      "production-blue": { region: "us-east-2", vpc: prodVpc },
      "production-green": {
        region: "us-east-2",
        vpc: { privateSubnets: ["subnet-0b2", "subnet-0a1"], securityGroups: ["sg-0c3"] },
      },
    });
    expect(plan).toHaveLength(1);
    expect(plan[0]?.groups.map((g) => [g.id, g.clusters])).toEqual([["", ["production-blue", "production-green"]]]);
  });

  it("keeps clusters with public endpoints apart from a VPC group of the same region", () => {
    const plan = planRegions({ a: { region: "us-east-2" }, b: { region: "us-east-2", vpc: prodVpc } });
    expect(plan[0]?.groups.map((g) => [g.key, g.clusters])).toEqual([
      ["us-east-2", ["a"]],
      [placementKey({ region: "us-east-2", vpc: prodVpc }), ["b"]],
    ]);
    expect(plan[0]?.id).toBe("");
  });

  it("names a group by its own placement, so adding a cluster elsewhere does not rename it", () => {
    const before = planRegions(three).flatMap((r) => r.groups);
    const after = planRegions({ ...three, qa: { region: "ap-south-1" } }).flatMap((r) => r.groups);
    for (const group of before) expect(after.find((g) => g.key === group.key)?.id).toBe(group.id);
  });

  it("allows as many groups in a region as a rule takes targets", () => {
    expect(maxGroupsPerRegion).toBe(5);
  });
});

describe("where the one Slack worker runs", () => {
  it("runs in the clusters' one VPC, or outside any when none has one", () => {
    expect(slackWorkerVpc({ a: { region: "us-east-2", vpc: prodVpc }, b: { region: "us-east-2" } }, undefined)).toEqual(
      prodVpc,
    );
    expect(slackWorkerVpc({ a: { region: "us-east-2" } }, undefined)).toBeUndefined();
  });

  it("needs slack.vpc when the clusters sit in several VPCs, and takes it over theirs", () => {
    expect(() => slackWorkerVpc(three, undefined)).toThrow(ConfigError);
    expect(() => slackWorkerVpc(three, undefined)).toThrow(/^slack\.vpc: the clusters sit in 2 VPC placements/);
    expect(slackWorkerVpc(three, greenVpc)).toEqual(greenVpc);
  });

  it("refuses the clusters' VPC when it is not in the home region, where the worker is created", () => {
    expect(() => slackWorkerVpc({ a: { region: "eu-west-1", vpc: prodVpc } }, undefined, "us-east-2")).toThrow(
      /^slack\.vpc: the clusters' VPC is in eu-west-1/,
    );
  });
});
