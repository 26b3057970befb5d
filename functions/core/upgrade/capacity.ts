// Reads and holds on the two clusters: mirroring before a step, blue's hold, and the restores.
import type { RolloutMetadata } from "../traffic/metadata.ts";
import type { UpgradeDefinition } from "./definition.ts";
import { holdFloors, holdOwner, releaseFloors } from "./holds.ts";
import { mirroredFloors } from "./mirroring.ts";
import type { MirroredFloor } from "./notifications.ts";
import { threadOfUpgrade } from "./phases.ts";
import type { HpaFacts } from "./ports.ts";
import type { RunContext } from "./run.ts";

export async function hpasOf(ctx: RunContext, cluster: string): Promise<HpaFacts[]> {
  const { cluster: port } = await ctx.deps.cluster(cluster);
  return port.hpas(ctx.up.namespaces);
}

/**
 * How long a hold outlives its last renewal: long enough for a capacity wait, a step's pause and the bake,
 * twice over (or an hour), short enough that a dead upgrade's floors come back through the sweep.
 */
export function holdTtlMs(up: UpgradeDefinition, steps: RolloutMetadata["steps"]): number {
  const longestPause = Math.max(0, ...steps.map((s) => s.pauseSeconds));
  return Math.max(3600, 2 * (up.capacityTimeoutSeconds + up.bakeSeconds + longestPause)) * 1000;
}

function ownerOf(ctx: RunContext, rolloutId: string) {
  return holdOwner(ctx.up.name, rolloutId, threadOfUpgrade(ctx.up.name, rolloutId));
}

/** Blue stays at the replicas it serves 100 % with, so a rollback lands on capacity; renewed each step. */
export async function holdBlue(ctx: RunContext, rolloutId: string, blue: readonly HpaFacts[], ttlMs: number) {
  const { prescaler } = await ctx.deps.cluster(ctx.up.blue.cluster);
  const floors = blue.map((h) => ({
    namespace: h.namespace,
    name: h.name,
    min: Math.min(Math.max(h.currentReplicas, h.min), h.max),
  }));
  await holdFloors(prescaler, ownerOf(ctx, rolloutId), floors, ctx.now, ctx.now + ttlMs, `upgrade:${rolloutId}`);
}

/**
 * Raises green's floors for a step that gives green `percent`, and reports them with green's Ready pods
 * as read before the raise (pods the raise asks for are not Ready yet). Blue's hold is renewed with it.
 */
export async function mirrorFor(ctx: RunContext, m: RolloutMetadata, percent: number): Promise<MirroredFloor[]> {
  const [blue, green] = await Promise.all([hpasOf(ctx, ctx.up.blue.cluster), hpasOf(ctx, ctx.up.green.cluster)]);
  const floors = mirroredFloors(blue, green, percent, ctx.up.margin);
  const ttl = holdTtlMs(ctx.up, m.steps);
  const { prescaler } = await ctx.deps.cluster(ctx.up.green.cluster);
  const requests = floors.map((f) => ({ namespace: f.namespace, name: f.hpa, min: f.floor }));
  await Promise.all([
    holdFloors(prescaler, ownerOf(ctx, m.rolloutId), requests, ctx.now, ctx.now + ttl, `upgrade:${m.rolloutId}`),
    holdBlue(ctx, m.rolloutId, blue, ttl),
  ]);
  return floors;
}

/** Ends this run's holds on one side's HPAs (those in the upgrade's namespaces), whatever their floors. */
export async function releaseSide(ctx: RunContext, cluster: string, rolloutId: string): Promise<HpaFacts[]> {
  const { prescaler } = await ctx.deps.cluster(cluster);
  const hpas = await hpasOf(ctx, cluster);
  await releaseFloors(prescaler, ownerOf(ctx, rolloutId), hpas, ctx.now, `upgrade:${rolloutId}`);
  return hpas;
}

/** Both sides' holds of a run end: after a release, a rollback's settling, or a lost race to start. */
export async function releaseRun(ctx: RunContext, rolloutId: string): Promise<void> {
  await Promise.all([
    releaseSide(ctx, ctx.up.green.cluster, rolloutId),
    releaseSide(ctx, ctx.up.blue.cluster, rolloutId),
  ]);
}
