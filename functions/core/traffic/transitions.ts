// Pure decisions: from what Route53 holds now (and the alarms), what to write, schedule and announce.
import type { TrafficDomain } from "./domain.ts";
import { bakeSeconds, gate } from "./gate.ts";
import { activeStatuses, type RolloutMetadata, type RolloutStatus } from "./metadata.ts";
import type { TrafficBase, TrafficNotification } from "./notifications.ts";
import type { AlarmState, DomainSnapshot } from "./ports.ts";
import { sameWeights, type Weights, weightsAt } from "./weights.ts";

type RolloutNotification = Exclude<TrafficNotification, { type: "deploy_event" }>;
/** A notification before the service adds the domain, rollout, thread and time. */
export type Announcement = RolloutNotification extends infer N
  ? N extends RolloutNotification
    ? Omit<N, keyof TrafficBase>
    : never
  : never;

export interface Context {
  domain: TrafficDomain;
  snapshot: DomainSnapshot;
  alarms: readonly AlarmState[];
  now: number;
}

export type Decision =
  /** Write `weights` and `metadata` in one batch, then schedule the next step at `scheduleAt`. */
  | { kind: "write"; weights: Weights; metadata: RolloutMetadata; scheduleAt?: number; announce: Announcement[] }
  /** Write nothing; `announce` may still say why (a refusal, a conflict). */
  | { kind: "none"; why: string; metadata?: RolloutMetadata; subject?: Subject; announce: Announcement[] };

/** The rollout a refusal is about, when it never got as far as metadata. */
export interface Subject {
  rolloutId: string;
  target: string;
}

export const none = (why: string, announce: Announcement[] = [], metadata?: RolloutMetadata): Decision => ({
  kind: "none",
  why,
  metadata,
  announce,
});

export const isActive = (m: RolloutMetadata | undefined): m is RolloutMetadata =>
  !!m && activeStatuses.includes(m.status);

/** Why the records are not ones a rollout may touch, if they are not. */
export function unsafeRecords(domain: TrafficDomain, snapshot: DomainSnapshot): string | undefined {
  if (snapshot.unknownRecords.length > 0) {
    return `unknown record sets at ${domain.recordName}: ${snapshot.unknownRecords.join(", ")}`;
  }
  const missing = domain.setIdentifiers.filter((id) => !(id in snapshot.weights));
  if (missing.length > 0) return `weighted record sets missing at ${domain.recordName}: ${missing.join(", ")}`;
  if (snapshot.metadataUnreadable) return `${domain.metadataRecordName} holds a TXT record that is not a rollout's`;
  return undefined;
}

/** Weights on the records differ from what the rollout last wrote: someone else changed them. */
export function drifted(snapshot: DomainSnapshot, metadata: RolloutMetadata): boolean {
  return !sameWeights(snapshot.weights, metadata.weights);
}

export function next(m: RolloutMetadata, ctx: Context, changes: Partial<RolloutMetadata>): RolloutMetadata {
  const { reason: _dropped, ...rest } = m;
  return { ...rest, ...changes, revision: (ctx.snapshot.metadata?.revision ?? 0) + 1, updatedAt: ctx.now };
}

/** A new rollout toward `target`, and its first step in the same write. */
export function start(ctx: Context, rolloutId: string, target: string, deployment?: string): Decision {
  const { domain, snapshot } = ctx;
  const current = snapshot.metadata;
  if (current?.rolloutId === rolloutId) return none("this rollout already started", [], current);
  const refuse = (reason: string): Decision => ({
    kind: "none",
    why: reason,
    subject: { rolloutId, target },
    announce: [{ type: "rollout_refused", reason }],
  });
  const unsafe = unsafeRecords(domain, snapshot);
  if (unsafe) return refuse(unsafe);
  if (!domain.setIdentifiers.includes(target)) {
    const reason = `target ${target} is not one of ${domain.setIdentifiers.join(", ")}`;
    return refuse(reason);
  }
  if (isActive(current)) {
    const reason = `rollout ${current.rolloutId} toward ${current.target} is still ${current.status}`;
    return refuse(reason);
  }
  const baseline = { ...snapshot.weights };
  const moving = Object.entries(baseline).some(([id, w]) => id !== target && w > 0);
  if (!moving) {
    const reason = `${target} already receives all traffic (or every weight is 0)`;
    return refuse(reason);
  }
  const fresh: RolloutMetadata = {
    rolloutId,
    target,
    status: "running",
    step: -1,
    planName: domain.plan.name,
    steps: domain.plan.steps,
    baseline,
    weights: baseline,
    revision: snapshot.metadata?.revision ?? 0,
    startedAt: ctx.now,
    updatedAt: ctx.now,
    bakeUntil: ctx.now,
    waits: 0,
    deployment,
  };
  const started: Announcement = {
    type: "rollout_started",
    plan: domain.plan.name,
    percents: domain.plan.steps.map((s) => s.percent),
    baseline,
    deployment,
  };
  const decision = advance(ctx, fresh);
  if (decision.kind === "none" || (decision.metadata.status !== "running" && decision.metadata.step < 0)) {
    // A gate that fails before any traffic moved: nothing to roll back, so nothing to write.
    const reason = decision.kind === "none" ? decision.why : (decision.metadata.reason ?? "gate failed");
    return refuse(`not starting: ${reason}`);
  }
  return { ...decision, announce: [started, ...decision.announce] };
}

/** The scheduled step: gate, then the next step's weights (or completion after the last one bakes). */
export function advance(ctx: Context, m: RolloutMetadata): Decision {
  if (ctx.now < m.bakeUntil) return { kind: "none", why: "still baking", metadata: m, announce: [] };
  const verdict = gate(
    ctx.domain.alarms,
    ctx.alarms,
    ctx.domain.insufficientData,
    m.waits,
    ctx.domain.maxInsufficientDataWaits,
  );
  if (verdict.verdict === "rollback") return rollback(ctx, m, verdict.reason, verdict.alarm);
  if (verdict.verdict === "pause") return pause(ctx, m, verdict.reason);
  if (verdict.verdict === "wait") {
    const retryAt = ctx.now + ctx.domain.insufficientDataRetrySeconds * 1000;
    // The retry is the next bake deadline: a running rollout is always scheduled at its bakeUntil.
    const metadata = next(m, ctx, { waits: m.waits + 1, reason: verdict.reason, bakeUntil: retryAt });
    const announce: Announcement[] = [
      { type: "rollout_waiting", reason: verdict.reason, retryAt: new Date(retryAt).toISOString() },
    ];
    return { kind: "write", weights: m.weights, metadata, scheduleAt: retryAt, announce };
  }
  const index = m.step + 1;
  const step = m.steps[index];
  if (!step) {
    const metadata = next(m, ctx, { status: "completed" });
    const durationMs = ctx.now - m.startedAt;
    return {
      kind: "write",
      weights: m.weights,
      metadata,
      announce: [{ type: "rollout_completed", weights: m.weights, durationMs }],
    };
  }
  const weights = weightsAt(m.baseline, m.target, step.percent);
  const bakeUntil = ctx.now + bakeSeconds(ctx.snapshot.ttlSeconds, ctx.alarms, step.pauseSeconds) * 1000;
  const status: RolloutStatus = step.manual ? "paused" : "running";
  const reason = step.manual ? `step ${index + 1} holds until resumed or promoted` : undefined;
  const metadata = next(m, ctx, { step: index, weights, bakeUntil, waits: 0, status, reason });
  const announce: Announcement[] = [
    {
      type: "rollout_step",
      step: index + 1,
      of: m.steps.length,
      percent: step.percent,
      weights,
      bakeUntil: new Date(bakeUntil).toISOString(),
    },
  ];
  if (reason) announce.push({ type: "rollout_paused", reason });
  return { kind: "write", weights, metadata, scheduleAt: step.manual ? undefined : bakeUntil, announce };
}

export function rollback(ctx: Context, m: RolloutMetadata, reason: string, alarm?: string): Decision {
  const metadata = next(m, ctx, { status: "rolled_back", weights: m.baseline, reason });
  const durationMs = ctx.now - m.startedAt;
  return {
    kind: "write",
    weights: m.baseline,
    metadata,
    announce: [{ type: "rollout_rolled_back", reason, alarm, weights: m.baseline, durationMs }],
  };
}

export function pause(ctx: Context, m: RolloutMetadata, reason: string, actor?: string): Decision {
  if (m.status === "paused") return none("already paused", [], m);
  const metadata = next(m, ctx, { status: "paused", reason });
  return { kind: "write", weights: m.weights, metadata, announce: [{ type: "rollout_paused", reason, actor }] };
}

export function resume(ctx: Context, m: RolloutMetadata, actor?: string): Decision {
  if (m.status !== "paused") return none(`not paused but ${m.status}`, [], m);
  const metadata = next(m, ctx, { status: "running", waits: 0 });
  const scheduleAt = Math.max(ctx.now, m.bakeUntil);
  return { kind: "write", weights: m.weights, metadata, scheduleAt, announce: [{ type: "rollout_resumed", actor }] };
}

/** Stops the rollout and restores the baseline; on drifted records it only releases the domain. */
export function abort(ctx: Context, m: RolloutMetadata, reason: string, actor?: string): Decision {
  const weights = drifted(ctx.snapshot, m) ? ctx.snapshot.weights : m.baseline;
  const metadata = next(m, ctx, { status: "aborted", weights, reason });
  return { kind: "write", weights, metadata, announce: [{ type: "rollout_aborted", reason, actor, weights }] };
}

/** Skips the remaining steps and gates: the target takes all traffic now. */
export function promote(ctx: Context, m: RolloutMetadata, actor?: string): Decision {
  const weights = weightsAt(m.baseline, m.target, 100);
  const metadata = next(m, ctx, {
    status: "completed",
    step: m.steps.length - 1,
    weights,
    reason: `promoted${actor ? ` by ${actor}` : ""}`,
  });
  const durationMs = ctx.now - m.startedAt;
  return { kind: "write", weights, metadata, announce: [{ type: "rollout_completed", weights, durationMs }] };
}
