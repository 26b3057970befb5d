import { describe, expect, it } from "vitest";
import { decideBlocked, drainPolicySchema } from "../../../../functions/core/drain/policy.ts";

const policy = (input: object) => drainPolicySchema.parse(input);

describe("decideBlocked", () => {
  const deadline = 100_000;

  it("keeps retrying under wait until the deadline", () => {
    expect(decideBlocked(policy({ onBlocked: "wait", blockedAllowanceMs: 10 }), 0, 50_000, deadline)).toBe("retry");
    expect(decideBlocked(policy({ onBlocked: "wait" }), 0, deadline, deadline)).toBe("deadline");
  });

  it("forces after the allowance, or when the deadline is near", () => {
    const force = policy({ onBlocked: "force", blockedAllowanceMs: 30_000, forceLeadMs: 10_000 });
    expect(decideBlocked(force, 0, 29_999, deadline)).toBe("retry");
    expect(decideBlocked(force, 0, 30_000, deadline)).toBe("force");
    expect(decideBlocked(force, 85_000, 90_000, deadline)).toBe("force");
  });

  it("gives up after the allowance", () => {
    const giveUp = policy({ onBlocked: "give_up", blockedAllowanceMs: 5_000 });
    expect(decideBlocked(giveUp, 1_000, 5_999, deadline)).toBe("retry");
    expect(decideBlocked(giveUp, 1_000, 6_000, deadline)).toBe("give_up");
  });

  it("rejects unknown policy keys and values", () => {
    expect(() => policy({ onBlocked: "pray" })).toThrow();
    expect(() => policy({ onBlokced: "wait" })).toThrow(/onBlokced/);
  });
});
