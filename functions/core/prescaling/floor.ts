import type { Levels } from "./holds.ts";
import type { FloorRule } from "./policy.ts";

export interface FloorDecision {
  levels: Levels;
  /** The floor the rule asked for was above maxReplicas, and the policy keeps maxReplicas: it was capped. */
  capped?: { wanted: number; max: number };
}

export function floorFor(rule: FloorRule, baseReplicas: number): number {
  const base = Math.max(baseReplicas, 0);
  switch (rule.mode) {
    case "absolute":
      return rule.replicas;
    case "multiply":
      return Math.ceil(base * rule.factor);
    case "add":
      return base + rule.replicas;
  }
}

/** The levels a hold asks of an HPA or ScaledObject whose ceiling is `max`. */
export function floorLevels(
  rule: FloorRule,
  baseReplicas: number,
  max: number,
  maxPolicy: "respect" | "raise",
): FloorDecision {
  const wanted = Math.max(floorFor(rule, baseReplicas), 1);
  if (wanted <= max) return { levels: { min: wanted } };
  if (maxPolicy === "raise") return { levels: { min: wanted, max: wanted } };
  return { levels: { min: max }, capped: { wanted, max } };
}
