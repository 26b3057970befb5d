import { describe, expect, it } from "vitest";
import { loadInterruptionConfig } from "../../../functions/config/interruption-config.ts";

const base = {
  AWS_REGION: "us-east-2",
  HARBORMASTER_CLUSTER_NAME: "prod",
  HARBORMASTER_DEAD_LETTER_QUEUE_URL: "https://sqs.example/1/dlq",
};

describe("loadInterruptionConfig", () => {
  it("applies defaults", () => {
    const config = loadInterruptionConfig(base);
    expect(config.clusters.map((c) => c.name)).toEqual(["prod"]);
    expect(config.clusters[0]?.actions.rebalance_recommendation).toBe("cordon");
    expect(config.clusters[0]?.policy.onBlocked).toBe("wait");
    expect(config.dryRun).toBe(false);
    // One stage unless the deployment gives a drain queue; drains run as long as the invocation may.
    expect(config.drainQueueUrl).toBeUndefined();
    expect(config.drainSliceMs).toBeUndefined();
  });

  it("reads the drain queue of the first stage and the slice of the second", () => {
    const front = loadInterruptionConfig({ ...base, HARBORMASTER_DRAIN_QUEUE_URL: "https://sqs.example/1/drains" });
    expect(front.drainQueueUrl).toBe("https://sqs.example/1/drains");
    expect(loadInterruptionConfig({ ...base, HARBORMASTER_DRAIN_SLICE_SECONDS: "20" }).drainSliceMs).toBe(20_000);
    expect(() => loadInterruptionConfig({ ...base, HARBORMASTER_DRAIN_SLICE_SECONDS: "2" })).toThrow(
      /HARBORMASTER_DRAIN_SLICE_SECONDS/,
    );
    expect(() => loadInterruptionConfig({ ...base, HARBORMASTER_DRAIN_QUEUE_URL: "drains" })).toThrow(
      /HARBORMASTER_DRAIN_QUEUE_URL/,
    );
  });

  it("serves every cluster of HARBORMASTER_CLUSTERS, each with its own overrides over the deployment's", () => {
    const config = loadInterruptionConfig({
      ...base,
      HARBORMASTER_CLUSTER_NAME: undefined,
      HARBORMASTER_ACTIONS: '{"rebalance_recommendation":"cordon_and_drain"}',
      HARBORMASTER_DRAIN_POLICY: '{"onBlocked":"force"}',
      HARBORMASTER_CLUSTERS: JSON.stringify({
        staging: { eksCluster: "stg", autoScalingGroups: ["stg-spot"], drainPolicy: { onBlocked: "give_up" } },
        production: { eksCluster: "prd", region: "eu-west-1", actions: { rebalance_recommendation: "notify_only" } },
      }),
    });
    const [staging, production] = config.clusters;
    expect(staging).toMatchObject({ name: "staging", eksCluster: "stg", region: "us-east-2" });
    expect(staging?.autoScalingGroups).toEqual(["stg-spot"]);
    expect(staging?.policy.onBlocked).toBe("give_up");
    expect(staging?.actions.rebalance_recommendation).toBe("cordon_and_drain");
    expect(production).toMatchObject({ name: "production", eksCluster: "prd", region: "eu-west-1" });
    expect(production?.policy.onBlocked).toBe("force");
    expect(production?.actions.rebalance_recommendation).toBe("notify_only");
  });

  it.each([
    [{ ...base, HARBORMASTER_DEAD_LETTER_QUEUE_URL: undefined }, "HARBORMASTER_DEAD_LETTER_QUEUE_URL"],
    [{ ...base, HARBORMASTER_CLUSTER_NAME: undefined }, "HARBORMASTER_CLUSTER_NAME (EKS) or KUBECONFIG"],
    [{ ...base, HARBORMASTER_ACTIONS: "{" }, "HARBORMASTER_ACTIONS is not valid JSON"],
    [{ ...base, HARBORMASTER_ACTIONS: '{"rebalance_recommendation":"explode"}' }, "rebalance_recommendation"],
    [{ ...base, HARBORMASTER_DRAIN_POLICY: '{"onBlocked":"force","extra":1}' }, "extra"],
    [{ ...base, HARBORMASTER_DRY_RUN: "yes" }, "HARBORMASTER_DRY_RUN"],
    [{ ...base, HARBORMASTER_CLUSTERS: "[" }, "HARBORMASTER_CLUSTERS is not valid JSON"],
    [{ ...base, HARBORMASTER_CLUSTERS: "{}" }, "at least one cluster"],
    [{ ...base, HARBORMASTER_CLUSTERS: '{"a b":{"eksCluster":"x"}}' }, "Invalid key in record"],
    [
      { ...base, HARBORMASTER_CLUSTERS: '{"blue":{"eksCluster":"x","drainPolicy":{"onBlocked":"shrug"}}}' },
      "HARBORMASTER_CLUSTERS.blue.drainPolicy",
    ],
    [{ ...base, HARBORMASTER_CLUSTERS: '{"blue":{"eksCluster":"x","color":"blue"}}' }, "color"],
  ])("rejects a bad setting, naming it (%#)", (env, says) => {
    expect(() => loadInterruptionConfig(env)).toThrow(says);
  });
});
