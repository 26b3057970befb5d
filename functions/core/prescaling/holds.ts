import * as z from "../zod.ts";

// What Harbormaster changed on an object, and why, kept on the object itself: there is no state store.

/** The annotation holding the state; its presence (with the label) marks an object as held. */
export const stateAnnotation = "harbormaster.io/prescaling";
/** A label as well, so the expiry sweep finds held objects with one label-selected list. */
export const heldLabel = "harbormaster.io/prescaled";

/** Numeric settings by role: `min`/`max` of an HPA or ScaledObject, `replicas` of a headroom Deployment. */
export type Levels = Partial<Record<"min" | "max" | "replicas", number>>;
export type Level = keyof Levels;

const levelsSchema = z.partialRecord(z.enum(["min", "max", "replicas"]), z.number().check(z.int()));

const holdSchema = z.object({
  policy: z.string(),
  /** What asked for it: `alarm:<name>`, `window:<name>`, or `command` (a person, through Slack). */
  trigger: z.string(),
  /** Who asked, for a command's hold. */
  by: z.optional(z.string()),
  levels: levelsSchema,
  since: z.number(),
  expiresAt: z.number(),
  /** Set once the trigger has ended (OK, a command): the hold ends then, after the cooldown. */
  releaseAt: z.optional(z.number()),
  thread: z.string(),
});
export type Hold = z.infer<typeof holdSchema>;

const stateSchema = z.object({
  v: z.literal(1),
  /** The values before the first hold, restored when the last hold ends. */
  original: levelsSchema,
  /** What Harbormaster last wrote; a different live value means a person changed it. */
  applied: levelsSchema,
  /** Fields a person changed after Harbormaster set them: left alone from then on. */
  humanOwned: z.array(z.enum(["min", "max", "replicas"])),
  /** Replicas running when the episode began: relative floors of later holds start from it, not from ours. */
  baseReplicas: z.number().check(z.int()),
  holds: z.record(z.string(), holdSchema),
});
export type HoldState = z.infer<typeof stateSchema>;

export function holdKey(policy: string, trigger: string): string {
  return `${policy}/${trigger}`;
}

/** The state in an annotation; undefined when absent or unreadable (then nothing is restored). */
export function parseState(annotation: string | undefined): HoldState | undefined {
  if (!annotation) return undefined;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(annotation));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function serializeState(state: HoldState): string {
  return JSON.stringify(state);
}

export function emptyState(current: Levels, baseReplicas: number): HoldState {
  return { v: 1, original: { ...current }, applied: { ...current }, humanOwned: [], baseReplicas, holds: {} };
}

/**
 * Adds a hold, or renews the one the same trigger already has. A renewal keeps its levels (a duplicate
 * ALARM must not compound a multiplied floor) and cancels a pending release; an older event changes nothing.
 */
export function withHold(state: HoldState, hold: Hold): HoldState {
  const key = holdKey(hold.policy, hold.trigger);
  const existing = state.holds[key];
  if (existing && existing.since > hold.since) return state;
  const renewed: Hold = existing
    ? { ...existing, since: hold.since, expiresAt: hold.expiresAt, releaseAt: undefined }
    : hold;
  return { ...state, holds: { ...state.holds, [key]: renewed } };
}

/** The trigger ended at `eventAt`: its hold ends at `releaseAt` (never later than its expiry). */
export function withRelease(state: HoldState, key: string, eventAt: number, releaseAt: number): HoldState {
  const hold = state.holds[key];
  // An OK older than the ALARM that set the hold belongs to an earlier episode.
  if (!hold || hold.since > eventAt) return state;
  const at = Math.min(hold.releaseAt ?? Number.POSITIVE_INFINITY, releaseAt, hold.expiresAt);
  return { ...state, holds: { ...state.holds, [key]: { ...hold, releaseAt: at } } };
}

export function endsAt(hold: Hold): number {
  return Math.min(hold.expiresAt, hold.releaseAt ?? Number.POSITIVE_INFINITY);
}
