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
    expect(config.actions.rebalance_recommendation).toBe("cordon");
    expect(config.policy.onBlocked).toBe("wait");
    expect(config.dryRun).toBe(false);
  });

  it.each([
    [{ ...base, HARBORMASTER_DEAD_LETTER_QUEUE_URL: undefined }, "HARBORMASTER_DEAD_LETTER_QUEUE_URL"],
    [{ ...base, HARBORMASTER_CLUSTER_NAME: undefined }, "HARBORMASTER_CLUSTER_NAME"],
    [{ ...base, HARBORMASTER_ACTIONS: "{" }, "HARBORMASTER_ACTIONS is not valid JSON"],
    [{ ...base, HARBORMASTER_ACTIONS: '{"rebalance_recommendation":"explode"}' }, "rebalance_recommendation"],
    [{ ...base, HARBORMASTER_DRAIN_POLICY: '{"onBlocked":"force","extra":1}' }, "extra"],
    [{ ...base, HARBORMASTER_DRY_RUN: "yes" }, "HARBORMASTER_DRY_RUN"],
  ])("rejects a bad setting, naming it (%#)", (env, says) => {
    expect(() => loadInterruptionConfig(env)).toThrow(says);
  });
});
