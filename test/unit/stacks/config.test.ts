import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseClusters } from "../../../functions/config/clusters.ts";
import { loadPrescalingConfig } from "../../../functions/config/prescaling-config.ts";
import { legacyConfig } from "../../../stacks/config.ts";
import { ConfigError } from "../../../stacks/config-error.ts";
import { validateConfig } from "../../../stacks/config-schema.ts";
import { featureEnvironment } from "../../../stacks/feature-environment.ts";

const example = {
  clusters: {
    prod: {
      eksCluster: "prod-eks",
      region: "us-east-2",
      vpc: { privateSubnets: ["subnet-0a1b2c"], securityGroups: ["sg-0a1b2c"] },
      autoScalingGroups: ["prod-spot-a"],
      channels: ["C0PROD"],
    },
  },
  actions: {},
  drainPolicy: {},
  scaling: [
    {
      name: "p",
      headroom: { namespace: "n", name: "h", unit: { cpu: "1", memory: "1Gi" }, sizing: { mode: "units", units: 1 } },
    },
  ],
  rollouts: [
    {
      name: "app",
      hostedZoneId: "Z1",
      recordName: "app.example.com",
      setIdentifiers: ["blue", "green"],
      insufficientData: "proceed",
      plan: "Canary10Percent5Minutes",
    },
  ],
  slack: { defaultChannel: "C0ALERTS", routes: [{ channel: "C0PROD" }] },
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

describe("the typed deployment config", () => {
  it("accepts the documented example and fills defaults", () => {
    const config = validateConfig(example);
    expect(config.dryRun).toBe(false);
    expect(config.clusters.prod?.manageAccess).toBe(true);
    expect(config.slack?.slashCommand).toBe("/harbormaster");
  });

  it("accepts the example in docs/config.md", () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "config.md"), "utf8");
    const json = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(validateConfig(JSON.parse(json ?? "null")).clusters["prod-eu"]?.autoScalingGroups).toHaveLength(2);
  });

  it("names the field of a top-level error", () => {
    const bad = structuredClone(example);
    bad.clusters.prod.vpc.privateSubnets = ["not-a-subnet"];
    expect(errorOf(bad)).toContain("clusters.prod.vpc.privateSubnets[0]");
  });

  it("names the section and the inner field of an error found by the function's own schema", () => {
    const bad = structuredClone(example);
    (bad.rollouts[0] as Record<string, unknown>).plan = "NoSuchPlan";
    const message = errorOf(bad);
    expect(message).toMatch(/^rollouts: /);
    expect(message).toContain("plan");
  });

  it("rejects pre-scaling policies the function would reject at cold start", () => {
    const bad = structuredClone(example);
    bad.scaling = [{ name: "p" }] as typeof bad.scaling;
    expect(errorOf(bad)).toMatch(/^scaling: /);
  });

  it("rejects an unknown key rather than ignoring a typo", () => {
    expect(errorOf({ ...example, rolouts: [] })).toContain("rolouts");
  });

  it("rejects a malformed Slack channel with its path", () => {
    expect(errorOf({ ...example, slack: { defaultChannel: "#alerts" } })).toContain("slack.defaultChannel");
  });

  it("requires a cluster", () => {
    expect(errorOf({ clusters: {} })).toContain("clusters");
  });

  it("hands each function the environment its loader parses", () => {
    const env = featureEnvironment(validateConfig(example));
    expect(env.groups).toHaveLength(1);
    const [served] = parseClusters(env.groups[0]?.interruption ?? {}, {
      region: "us-east-1",
      actions: {},
      drainPolicy: {},
    });
    expect(served).toMatchObject({
      name: "prod",
      eksCluster: "prod-eks",
      region: "us-east-2",
      autoScalingGroups: ["prod-spot-a"],
    });
    expect(JSON.parse(env.slack?.HARBORMASTER_SLACK_CLUSTERS ?? "{}")).toEqual({
      prod: { eksCluster: "prod-eks", region: "us-east-2", channels: ["C0PROD"] },
    });
  });

  it("hands pre-scaling the namespaces Slack's scale may hold, as its loader reads them", () => {
    const env = featureEnvironment(validateConfig({ ...example, scalingCommandNamespaces: ["web", "checkout"] }));
    const prescaling = env.groups[0]?.prescaling;
    expect(prescaling?.HARBORMASTER_PRESCALING_COMMAND_NAMESPACES).toBe("web,checkout");
    const loaded = loadPrescalingConfig({ AWS_REGION: "us-east-2", KUBECONFIG: "/dev/null", ...prescaling });
    expect(loaded.commandNamespaces).toEqual(["web", "checkout"]);
    // Absent: the function falls back to the policies' namespaces.
    expect(featureEnvironment(validateConfig(example)).groups[0]?.prescaling).not.toHaveProperty(
      "HARBORMASTER_PRESCALING_COMMAND_NAMESPACES",
    );
  });

  it("names the entry of a malformed command namespace, and refuses an empty list", () => {
    expect(errorOf({ ...example, scalingCommandNamespaces: ["web", "Not_A_Namespace"] })).toContain(
      "scalingCommandNamespaces[1]",
    );
    expect(errorOf({ ...example, scalingCommandNamespaces: [] })).toContain("scalingCommandNamespaces");
  });

  it("refuses command namespaces without pre-scaling policies, which would leave them unused", () => {
    expect(errorOf({ ...example, scaling: [], scalingCommandNamespaces: ["web"] })).toMatch(
      /^scalingCommandNamespaces: /,
    );
  });

  it("assembles the earlier per-feature variables into the same shape", () => {
    const config = validateConfig(
      legacyConfig({ HARBORMASTER_CLUSTER_NAME: "c1", AWS_REGION: "eu-west-1", HARBORMASTER_DRY_RUN: "true" }, "dev"),
    );
    expect(config.clusters.c1).toMatchObject({ eksCluster: "c1", region: "eu-west-1" });
    expect(config.dryRun).toBe(true);
    expect(config.slack).toBeUndefined();
  });

  it("carries the earlier command-namespaces variable over", () => {
    const env = {
      HARBORMASTER_CLUSTER_NAME: "c1",
      HARBORMASTER_PRESCALING_POLICIES: JSON.stringify(example.scaling),
      HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: "web, checkout",
    };
    expect(validateConfig(legacyConfig(env, "dev")).scalingCommandNamespaces).toEqual(["web", "checkout"]);
  });
});
