import { describe, expect, it } from "vitest";
import { parseClusters } from "../../../functions/config/clusters.ts";
import { loadSlackCommandConfig } from "../../../functions/config/slack-config.ts";
import { ConfigError } from "../../../stacks/config-error.ts";
import { validateConfig } from "../../../stacks/config-schema.ts";
import { featureEnvironment } from "../../../stacks/feature-environment.ts";
import { trafficVpc } from "../../../stacks/network.ts";

const prodVpc = { privateSubnets: ["subnet-0a1b"], securityGroups: ["sg-0a1b"] };
const otherVpc = { privateSubnets: ["subnet-0c2d"], securityGroups: ["sg-0c2d"] };

const upgrade = {
  name: "prod-1-31",
  domain: "ads",
  blue: { cluster: "blue", alarms: ["blue-5xx"] },
  green: { cluster: "green", alarms: ["green-5xx"] },
  namespaces: ["adserver"],
  plan: "Linear10PercentEvery1Minute",
};
const base = {
  clusters: {
    blue: { eksCluster: "prod-blue", region: "us-east-2", vpc: prodVpc },
    green: { eksCluster: "prod-green", region: "us-east-2", vpc: prodVpc },
    staging: { eksCluster: "staging", region: "eu-west-1" },
  },
  rollouts: [
    {
      name: "ads",
      hostedZoneId: "Z0123456789ABC",
      recordName: "ads.example.com",
      setIdentifiers: ["blue", "green"],
      insufficientData: "wait",
      plan: "AllAtOnce",
    },
  ],
  upgrades: [upgrade],
  slack: { defaultChannel: "C0ALERTS" },
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
const withUpgrade = (change: Record<string, unknown>) => ({ ...base, upgrades: [{ ...upgrade, ...change }] });

describe("upgrades in the config", () => {
  it("gives the traffic function the upgrades and exactly the clusters they name, as its loader reads them", () => {
    const env = featureEnvironment(validateConfig(base));
    expect(JSON.parse(env.traffic.HARBORMASTER_UPGRADES ?? "null")).toEqual(base.upgrades);
    const clusters = parseClusters(env.traffic, { region: "us-east-2", actions: {}, drainPolicy: {} });
    expect(clusters.map((c) => [c.name, c.eksCluster, c.region])).toEqual([
      ["blue", "prod-blue", "us-east-2"],
      ["green", "prod-green", "us-east-2"],
    ]);
    expect(env.upgrades.alarms).toEqual(["blue-5xx", "green-5xx"]);
  });

  it("gives the Slack command function each upgrade's domain and clusters, as its loader reads them", () => {
    const env = featureEnvironment(validateConfig(base));
    const slack = loadSlackCommandConfig({
      AWS_REGION: "us-east-2",
      HARBORMASTER_SLACK_SIGNING_SECRET: "a-signing-secret-of-32-characters",
      HARBORMASTER_SLACK_TABLE: "t",
      HARBORMASTER_SLACK_QUEUE_URL: "https://sqs.us-east-2.amazonaws.com/000000000000/q.fifo",
      ...env.slack,
    });
    expect(slack.upgrades).toEqual({ "prod-1-31": { domain: "ads", blue: "blue", green: "green" } });
  });

  it("adds nothing to the traffic or Slack functions without upgrades", () => {
    const env = featureEnvironment(validateConfig({ ...base, upgrades: [] }));
    expect(env.traffic).toEqual({ HARBORMASTER_TRAFFIC_DOMAINS: JSON.stringify(base.rollouts) });
    expect(env.slack?.HARBORMASTER_SLACK_UPGRADES).toBeUndefined();
  });

  it.each([
    [{ domain: "shop" }, 'upgrades[0].domain: no rollout named "shop" in rollouts'],
    [{ blue: { cluster: "red" } }, 'upgrades[0].blue.cluster: no cluster named "red" in clusters'],
    [{ green: { cluster: "blue" } }, "upgrades[0].green.cluster: the same cluster as blue"],
    [{ green: { cluster: "staging" } }, 'upgrades[0].green: rollout ads has no weighted set "staging"'],
    [
      { green: { cluster: "staging", setIdentifier: "blue" } },
      "upgrades[0].green.setIdentifier: the same weighted set",
    ],
    [{ name: undefined }, "upgrades[0].name: required"],
  ])("names the field of a mistake: %j", (change, message) => {
    expect(errorOf(withUpgrade(change))).toContain(message);
  });

  it("takes a set identifier other than the cluster's name", () => {
    const rollouts = [{ ...base.rollouts[0], setIdentifiers: ["alb-blue", "alb-green"] }];
    const config = {
      ...base,
      rollouts,
      upgrades: [
        {
          ...upgrade,
          blue: { cluster: "blue", setIdentifier: "alb-blue" },
          green: { cluster: "green", setIdentifier: "alb-green" },
        },
      ],
    };
    expect(() => validateConfig(config)).not.toThrow();
  });

  it("refuses two upgrades of one name", () => {
    expect(errorOf({ ...base, upgrades: [upgrade, upgrade] })).toContain(
      'upgrades[1].name: a second upgrade named "prod-1-31"',
    );
  });

  it("refuses upgraded clusters in two VPCs: one traffic function sits in one", () => {
    const clusters = { ...base.clusters, green: { ...base.clusters.green, vpc: otherVpc } };
    expect(errorOf({ ...base, clusters, slack: { ...base.slack, vpc: prodVpc } })).toMatch(
      /^upgrades: the clusters they name sit in 2 VPC placements/,
    );
  });

  it("runs the traffic function in the upgraded clusters' VPC, which must be in the home region", () => {
    expect(trafficVpc(base.clusters, ["blue", "green"], "us-east-2")).toEqual(prodVpc);
    expect(trafficVpc(base.clusters, ["staging"], "us-east-2")).toBeUndefined();
    expect(() => trafficVpc(base.clusters, ["blue"], "eu-west-1")).toThrow(/traffic function in eu-west-1/);
  });

  it("refuses what only the traffic function's own upgrade loader checks, naming the field", () => {
    expect(errorOf(withUpgrade({ margin: 10 }))).toMatch(/upgrades.*margin/s);
    expect(errorOf(withUpgrade({ namespaces: [] }))).toMatch(/upgrades.*namespaces/s);
  });
});
