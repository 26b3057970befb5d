// The alarm gate before each step, and the bake time after it.
import type { InsufficientDataPolicy } from "./domain.ts";
import type { AlarmState } from "./ports.ts";

export type GateResult =
  | { verdict: "pass" }
  | { verdict: "wait"; reason: string }
  | { verdict: "rollback"; reason: string; alarm?: string }
  | { verdict: "pause"; reason: string };

export function gate(
  wanted: readonly string[],
  alarms: readonly AlarmState[],
  policy: InsufficientDataPolicy,
  waitsSoFar: number,
  maxWaits: number,
): GateResult {
  const found = new Map(alarms.map((a) => [a.name, a]));
  const missing = wanted.filter((name) => !found.has(name));
  // A gate that cannot see its alarm must not pass; a person decides (resume after fixing the config).
  if (missing.length > 0) return { verdict: "pause", reason: `alarm not found: ${missing.join(", ")}` };
  const firing = alarms.find((a) => a.state === "ALARM");
  if (firing) return { verdict: "rollback", reason: `alarm ${firing.name} is in ALARM`, alarm: firing.name };
  const unknown = alarms.filter((a) => a.state === "INSUFFICIENT_DATA").map((a) => a.name);
  if (unknown.length === 0 || policy === "proceed") return { verdict: "pass" };
  const reason = `INSUFFICIENT_DATA: ${unknown.join(", ")}`;
  if (policy === "rollback") return { verdict: "rollback", reason, alarm: unknown[0] };
  if (waitsSoFar >= maxWaits) return { verdict: "rollback", reason: `${reason} after ${waitsSoFar} waits` };
  return { verdict: "wait", reason };
}

/**
 * How long a step bakes before the next gate: at least the record's TTL (resolvers still send traffic by
 * the old weights until then) plus the longest alarm evaluation window (until then an alarm cannot have
 * seen the new traffic), and never less than the step's own pause.
 */
export function bakeSeconds(ttlSeconds: number, alarms: readonly AlarmState[], pauseSeconds: number): number {
  const window = Math.max(0, ...alarms.map((a) => a.windowSeconds));
  return Math.max(pauseSeconds, ttlSeconds + window);
}
