// What a ticket (or the state a write just made) does next, by phase. Re-entrant: each phase first
// re-applies what it needs (floors, restores), so a run that died anywhere resumes from Route53 and the holds.
import type { RolloutMetadata } from "../traffic/metadata.ts";
import { drifted, next, unsafeRecords } from "../traffic/transitions.ts";
import { percentOf } from "../traffic/weights.ts";
import { releaseRun, releaseSide } from "./capacity.ts";
import type { UpgradeTicket } from "./commands.ts";
import { blueServing, readyPods } from "./mirroring.ts";
import { phaseOf } from "./phases.ts";
import type { HpaFacts } from "./ports.ts";
import { type Decide, none, type RunContext, trafficContext, type UpgradeDecision } from "./run.ts";
import { gateStep, readAlarms, tryStep } from "./step.ts";

export function onTicket(ticket: Omit<UpgradeTicket, "upgrade">): Decide {
  return async (ctx) => {
    const m = ctx.snapshot.metadata;
    if (m?.upgrade !== ctx.up.name || m.rolloutId !== ticket.rolloutId)
      return none("stale: another run owns the domain");
    if (m.revision !== ticket.revision) {
      // Nothing to do but keep the current revision's check scheduled (a stale ticket finds a lost one).
      await finishedCleanup(ctx, m);
      return none(`stale ticket: revision ${ticket.revision}, now ${m.revision}`, m);
    }
    return proceed(ctx, m);
  };
}

/** The state a write just made, looked at again in the same invocation. */
export const afterWrite = (written: RolloutMetadata): Decide => onTicket(written);

export async function proceed(ctx: RunContext, m: RolloutMetadata): Promise<UpgradeDecision> {
  const phase = phaseOf(m);
  switch (phase) {
    case "capacity-wait":
    case "baking":
    case "final-bake": {
      if (m.status !== "running") return none(`${m.status}: waits for a person`, m);
      const unsafe =
        unsafeRecords(ctx.domain, ctx.snapshot) ??
        (drifted(ctx.snapshot, m) ? "weights were changed outside the upgrade" : undefined);
      if (unsafe) return none(unsafe, m, [{ type: "upgrade_failed", reason: unsafe }]);
      if (phase === "capacity-wait") return tryStep(ctx, m, m.step + 1);
      if (ctx.now < m.bakeUntil) return none("still baking", m);
      if (phase === "baking") return tryStep(ctx, m, m.step + 1);
      return finalBaked(ctx, m);
    }
    case "releasing":
      return release(ctx, m);
    case "rollback-settling":
      return settle(ctx, m);
    default:
      await finishedCleanup(ctx, m);
      return none(`nothing left to do (${m.phase ?? m.status})`, m);
  }
}

/** Green held 100 % through the bake: the gate once more, then the release. */
export async function finalBaked(ctx: RunContext, m: RolloutMetadata, skipGate = false): Promise<UpgradeDecision> {
  if (!skipGate) {
    const decision = gateStep(ctx, m, await readAlarms(ctx));
    if (decision) return decision;
  }
  const metadata = next(m, trafficContext(ctx), { status: "completed", phase: "releasing", phaseSince: ctx.now });
  return {
    kind: "write",
    weights: m.weights,
    metadata,
    announce: [{ type: "upgrade_completed", weights: m.weights, durationMs: ctx.now - m.startedAt }],
    again: true,
  };
}

/** Restores both sides' floors (green's first: blue has no traffic), reports blue, scales it down if asked. */
async function release(ctx: RunContext, m: RolloutMetadata): Promise<UpgradeDecision> {
  const { up } = ctx;
  await releaseSide(ctx, up.green.cluster, m.rolloutId);
  const blue = await releaseSide(ctx, up.blue.cluster, m.rolloutId);
  const scaledDown: string[] = [];
  if (up.scaleDownBlue) {
    const { cluster } = await ctx.deps.cluster(up.blue.cluster);
    for (const hpa of blue)
      if (await cluster.scaleTargetToMinimum(hpa)) scaledDown.push(`${hpa.namespace}/${hpa.name}`);
  }
  const metadata = next(m, trafficContext(ctx), { phase: "released", phaseSince: ctx.now });
  const blueTrafficPercent = percentOf(m.weights, up.blue.setIdentifier);
  const announce = [{ type: "upgrade_released" as const, blueTrafficPercent, bluePods: readyPods(blue), scaledDown }];
  return { kind: "write", weights: m.weights, metadata, announce };
}

/** After a rollback: once blue's Ready pods cover its floors (100 % of the traffic), both holds end. */
async function settle(ctx: RunContext, m: RolloutMetadata): Promise<UpgradeDecision> {
  const { cluster } = await ctx.deps.cluster(ctx.up.blue.cluster);
  const blue: HpaFacts[] = await cluster.hpas(ctx.up.namespaces);
  if (!blueServing(blue)) {
    const waited = ctx.now - (m.phaseSince ?? ctx.now);
    const late = waited > ctx.up.capacityTimeoutSeconds * 1000;
    const reason = `blue is not serving yet: ${blue
      .filter((h) => h.readyPods < h.min)
      .map((h) => `${h.namespace}/${h.name} ${h.readyPods}/${h.min}`)
      .join(", ")}; green's floors stay`;
    return none(reason, m, late ? [{ type: "upgrade_failed", reason }] : []);
  }
  await releaseRun(ctx, m.rolloutId);
  const metadata = next(m, trafficContext(ctx), { phase: "settled", phaseSince: ctx.now });
  return {
    kind: "write",
    weights: m.weights,
    metadata,
    announce: [{ type: "upgrade_rollback_settled", bluePods: readyPods(blue) }],
  };
}

/** A finished run keeps no holds: a late duplicate that raised a floor after the restore is undone here. */
async function finishedCleanup(ctx: RunContext, m: RolloutMetadata): Promise<void> {
  const phase = phaseOf(m);
  if (phase === "released" || phase === "settled") await releaseRun(ctx, m.rolloutId);
}
