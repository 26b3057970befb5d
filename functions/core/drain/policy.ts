import * as z from "../zod.ts";

export const drainPolicySchema = z.strictObject({
  /** What to do once a PodDisruptionBudget has blocked a pod for longer than `blockedAllowanceMs`. */
  onBlocked: z._default(z.enum(["wait", "force", "give_up"]), "wait"),
  blockedAllowanceMs: z._default(z.number().check(z.int(), z.minimum(0)), 30_000),
  /** With "force", deletion also starts when the deadline is this close, whatever the allowance. */
  forceLeadMs: z._default(z.number().check(z.int(), z.minimum(0)), 10_000),
  /** How a terminate hook is answered when the drain fails. Launch hooks that fail are ABANDONed. */
  lifecycleOnFailure: z._default(z.enum(["CONTINUE", "ABANDON"]), "CONTINUE"),
  evictionConcurrency: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(200)), 10),
});
export type DrainPolicy = z.infer<typeof drainPolicySchema>;

export type BlockedDecision = "retry" | "force" | "give_up" | "deadline";

/** Decides for a pod a budget keeps blocking: a pure function of the policy and the clock. */
export function decideBlocked(
  policy: DrainPolicy,
  blockedSince: number,
  now: number,
  deadline: number,
): BlockedDecision {
  if (now >= deadline) return "deadline";
  const overAllowance = now - blockedSince >= policy.blockedAllowanceMs;
  if (policy.onBlocked === "force" && (overAllowance || deadline - now <= policy.forceLeadMs)) return "force";
  if (policy.onBlocked === "give_up" && overAllowance) return "give_up";
  return "retry";
}
