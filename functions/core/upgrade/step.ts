// One step of an upgrade: gate on both clusters' alarms, mirror capacity, and only then move the weights.
import { bakeSeconds, gate } from "../traffic/gate.ts";
import type { RolloutMetadata, RolloutStatus } from "../traffic/metadata.ts";
import type { AlarmState } from "../traffic/ports.ts";
import { next } from "../traffic/transitions.ts";
import { weightsAt } from "../traffic/weights.ts";
import { mirrorFor } from "./capacity.ts";
import { capacityReady } from "./mirroring.ts";
import type { MirroredFloor } from "./notifications.ts";
import { phaseOf } from "./phases.ts";
import { none, type RunContext, trafficContext, type UpgradeAnnouncement, type UpgradeDecision } from "./run.ts";

/** Every alarm that gates the upgrade: the domain's and both clusters'. */
export function upgradeAlarms(ctx: Pick<RunContext, "up" | "domain">): string[] {
  return [...new Set([...ctx.domain.alarms, ...ctx.up.blue.alarms, ...ctx.up.green.alarms])];
}

export async function readAlarms(ctx: RunContext): Promise<AlarmState[]> {
  const names = upgradeAlarms(ctx);
  return names.length > 0 ? ctx.deps.alarms.describe(names) : [];
}

/** The alarm gate before a step or the release: a decision when it does not pass, else undefined. */
export function gateStep(
  ctx: RunContext,
  m: RolloutMetadata,
  alarms: readonly AlarmState[],
): UpgradeDecision | undefined {
  const d = ctx.domain;
  const verdict = gate(upgradeAlarms(ctx), alarms, d.insufficientData, m.waits, d.maxInsufficientDataWaits);
  if (verdict.verdict === "rollback") return rollbackTo(ctx, m, verdict.reason, verdict.alarm);
  if (verdict.verdict === "pause") return pauseAt(ctx, m, verdict.reason);
  if (verdict.verdict === "wait") {
    // Counted in the record, like the traffic core's waits: the policy's limit turns them into a rollback.
    const retryAt = ctx.now + d.insufficientDataRetrySeconds * 1000;
    const metadata = next(m, trafficContext(ctx), { waits: m.waits + 1, reason: verdict.reason, bakeUntil: retryAt });
    return { kind: "write", weights: m.weights, metadata, announce: [] };
  }
  return undefined;
}

/** Toward step `index` (0-based): floors first, then the weights once green's pods are Ready. */
export async function tryStep(ctx: RunContext, m: RolloutMetadata, index: number): Promise<UpgradeDecision> {
  const { up, now } = ctx;
  const step = m.steps[index];
  if (!step) return none(`no step ${index + 1}`, m);
  const waiting = phaseOf(m) === "capacity-wait";
  const since = waiting ? (m.phaseSince ?? now) : now;

  const alarms = await readAlarms(ctx);
  const gated = gateStep(ctx, m, alarms);
  if (gated) return gated;

  let floors: MirroredFloor[] = [];
  if (up.mirrorCapacity) {
    floors = await mirrorFor(ctx, m, step.percent);
    if (!capacityReady(floors)) {
      if (!waiting) {
        const metadata = next(m, trafficContext(ctx), { phase: "capacity-wait", phaseSince: now, status: "running" });
        const announce: UpgradeAnnouncement[] = [
          { type: "upgrade_capacity", step: index + 1, percent: step.percent, floors, ready: false },
        ];
        return { kind: "write", weights: m.weights, metadata, announce };
      }
      if (now - since > up.capacityTimeoutSeconds * 1000) {
        const short = floors
          .filter((f) => f.ready < f.floor)
          .map((f) => `${f.namespace}/${f.hpa} ${f.ready}/${f.floor}`);
        return pauseAt(ctx, m, `green's pods not Ready after ${up.capacityTimeoutSeconds}s: ${short.join(", ")}`);
      }
      return none("waiting for green's Ready pods", m);
    }
  }

  const weights = weightsAt(m.baseline, up.green.setIdentifier, step.percent);
  const last = index === m.steps.length - 1;
  const baked = bakeSeconds(ctx.snapshot.ttlSeconds, alarms, step.pauseSeconds);
  const bake = last ? Math.max(baked, up.bakeSeconds) : baked;
  const status: RolloutStatus = step.manual ? "paused" : "running";
  const reason = step.manual ? `step ${index + 1} holds until resumed or promoted` : undefined;
  const metadata = next(m, trafficContext(ctx), {
    step: index,
    weights,
    bakeUntil: now + bake * 1000,
    waits: 0,
    status,
    reason,
    phase: last ? "final-bake" : "baking",
    phaseSince: now,
  });
  const capacityWaitMs = now - since;
  const announce: UpgradeAnnouncement[] = [];
  if (up.mirrorCapacity)
    announce.push({ type: "upgrade_capacity", step: index + 1, percent: step.percent, floors, ready: true });
  announce.push({
    type: "upgrade_step",
    step: index + 1,
    of: m.steps.length,
    percent: step.percent,
    weights,
    capacityWaitMs,
    stepMs: capacityWaitMs,
    floors,
  });
  if (reason) announce.push({ type: "upgrade_paused", reason });
  return { kind: "write", weights, metadata, announce };
}

/** Weights back to blue at once; green's floors stay until blue is confirmed serving (the settling). */
export function rollbackTo(ctx: RunContext, m: RolloutMetadata, reason: string, alarm?: string): UpgradeDecision {
  const metadata = next(m, trafficContext(ctx), {
    status: "rolled_back",
    weights: m.baseline,
    reason,
    phase: "rollback-settling",
    phaseSince: ctx.now,
  });
  const announce: UpgradeAnnouncement[] = [{ type: "upgrade_rolled_back", reason, alarm, weights: m.baseline }];
  return { kind: "write", weights: m.baseline, metadata, announce, again: true };
}

export function pauseAt(ctx: RunContext, m: RolloutMetadata, reason: string, actor?: string): UpgradeDecision {
  if (m.status === "paused") return none("already paused", m);
  const metadata = next(m, trafficContext(ctx), { status: "paused", reason });
  return { kind: "write", weights: m.weights, metadata, announce: [{ type: "upgrade_paused", reason, actor }] };
}
