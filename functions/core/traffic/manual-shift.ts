// A person's shift: the weights move to a percentage now, outside the step plan, and the plan waits.
import { bakeSeconds } from "./gate.ts";
import type { RolloutMetadata } from "./metadata.ts";
import type { Step } from "./plan.ts";
import { type Context, type Decision, drifted, isActive, next, none, unsafeRecords } from "./transitions.ts";
import { sameWeights, type Weights, weightsAt } from "./weights.ts";

export interface ShiftRequest {
  /** The share of traffic the target gets, 0..100. */
  percent: number;
  /** The set to shift to; by default the active rollout's target, or else the one idle set. */
  target?: string;
  actor?: string;
  reason: string;
  /** Names the rollout a shift starts when none is active. */
  rolloutId: string;
}

/**
 * Within an active rollout: the rollout's target gets `percent` of the pre-rollout weights' traffic and the
 * rollout pauses; `resume` carries on with the first step above it, `rollback` restores the baseline.
 * With none: a rollout starts, paused, with the weights as they are now as its baseline.
 */
export function manualShift(ctx: Context, request: ShiftRequest): Decision {
  const { domain, snapshot } = ctx;
  const current = snapshot.metadata;
  // A separate name: the type guard below would narrow `current` to nothing past the active case.
  const previous: RolloutMetadata | undefined = current;
  if (isActive(current)) {
    const mismatch = targetMismatch(current, request.target);
    if (mismatch) return { kind: "none", why: mismatch, metadata: current, announce: [refused(mismatch)] };
    const unsafe =
      unsafeRecords(domain, snapshot) ??
      (drifted(snapshot, current) ? "weights were changed outside the rollout" : undefined);
    if (unsafe)
      return { kind: "none", why: unsafe, metadata: current, announce: [{ type: "rollout_conflict", reason: unsafe }] };
    return shiftWithin(ctx, current, request);
  }
  const target = request.target ?? idleSet(snapshot.weights, domain.setIdentifiers);
  const subject = { rolloutId: request.rolloutId, target: target ?? "" };
  if (previous?.rolloutId === request.rolloutId) return none("this shift already started its rollout", [], previous);
  const why =
    unsafeRecords(domain, snapshot) ??
    (!target
      ? `say which set gets the traffic: shift ${domain.name} ${request.percent} to <${domain.setIdentifiers.join("|")}>`
      : !domain.setIdentifiers.includes(target)
        ? `target ${target} is not one of ${domain.setIdentifiers.join(", ")}`
        : Object.values(snapshot.weights).every((w) => w === 0)
          ? "every weight is 0: there is no traffic to shift"
          : undefined);
  if (why || !target) return refusedWith(subject, why ?? "no target");
  const baseline: Weights = { ...snapshot.weights };
  const weights = weightsAt(baseline, target, request.percent);
  if (sameWeights(weights, baseline)) return refusedWith(subject, `${target} already gets ${request.percent}%`);
  const metadata: RolloutMetadata = {
    rolloutId: request.rolloutId,
    target,
    status: "paused",
    step: stepAt(domain.plan.steps, request.percent),
    planName: domain.plan.name,
    steps: domain.plan.steps,
    baseline,
    weights,
    revision: (previous?.revision ?? 0) + 1,
    startedAt: ctx.now,
    updatedAt: ctx.now,
    bakeUntil: ctx.now + bakeSeconds(snapshot.ttlSeconds, ctx.alarms, 0) * 1000,
    waits: 0,
    reason: request.reason,
    deployment: `manual shift${request.actor ? ` by ${request.actor}` : ""}`,
  };
  return {
    kind: "write",
    weights,
    metadata,
    announce: [
      {
        type: "rollout_started",
        plan: domain.plan.name,
        percents: domain.plan.steps.map((s) => s.percent),
        baseline,
        deployment: metadata.deployment,
      },
      { type: "rollout_shifted", percent: request.percent, weights, actor: request.actor, reason: request.reason },
    ],
  };
}

function shiftWithin(ctx: Context, m: RolloutMetadata, request: ShiftRequest): Decision {
  const weights = weightsAt(m.baseline, m.target, request.percent);
  // A redelivered shift finds its own write: nothing to do.
  if (m.status === "paused" && sameWeights(weights, m.weights)) return none(`already at ${request.percent}%`, [], m);
  const metadata = next(m, ctx, {
    status: "paused",
    step: stepAt(m.steps, request.percent),
    weights,
    // The new weights bake before `resume` may take the next step: the same wait as after a planned step.
    bakeUntil: ctx.now + bakeSeconds(ctx.snapshot.ttlSeconds, ctx.alarms, 0) * 1000,
    waits: 0,
    reason: request.reason,
  });
  return {
    kind: "write",
    weights,
    metadata,
    announce: [
      { type: "rollout_shifted", percent: request.percent, weights, actor: request.actor, reason: request.reason },
    ],
  };
}

/** The last step at or below `percent`: resuming takes the first step above it. -1 when below them all. */
export function stepAt(steps: readonly Step[], percent: number): number {
  let index = -1;
  steps.forEach((step, i) => {
    if (step.percent <= percent) index = i;
  });
  return index;
}

/** The one set with the least traffic now (blue-green's idle colour); undefined when several tie. */
export function idleSet(weights: Weights, sets: readonly string[]): string | undefined {
  const least = Math.min(...sets.map((id) => weights[id] ?? 0));
  const idle = sets.filter((id) => (weights[id] ?? 0) === least);
  return idle.length === 1 ? idle[0] : undefined;
}

function targetMismatch(m: RolloutMetadata, target: string | undefined): string | undefined {
  if (!target || target === m.target) return undefined;
  return `rollout ${m.rolloutId} is moving traffic to ${m.target}; roll it back before shifting to ${target}`;
}

const refused = (reason: string) => ({ type: "rollout_refused" as const, reason });

function refusedWith(subject: { rolloutId: string; target: string }, reason: string): Decision {
  return { kind: "none", why: reason, subject, announce: [refused(reason)] };
}
