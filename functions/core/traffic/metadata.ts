// The rollout's own state, kept beside the weights in a TXT record and written in the same change batch.
import * as z from "../zod.ts";
import { decodePlan, encodePlan, type Step } from "./plan.ts";
import type { Weights } from "./weights.ts";

export type RolloutStatus = "running" | "paused" | "completed" | "rolled_back" | "aborted";

export const activeStatuses: readonly RolloutStatus[] = ["running", "paused"];

export interface RolloutMetadata {
  rolloutId: string;
  target: string;
  status: RolloutStatus;
  /** Index of the step whose weights are live. */
  step: number;
  planName: string;
  steps: Step[];
  /** The weights before the rollout: what a rollback restores. */
  baseline: Weights;
  /** The weights this rollout last wrote; anything else on the records is someone else's change. */
  weights: Weights;
  /** Bumped by every write; a scheduled step carries the revision it was planned for. */
  revision: number;
  startedAt: number;
  updatedAt: number;
  /** The next step may start no earlier (TTL plus the alarms' evaluation window, or the step's pause). */
  bakeUntil: number;
  /** INSUFFICIENT_DATA answers seen at this step under the `wait` policy. */
  waits: number;
  reason?: string;
  deployment?: string;
  /** Set when a cluster upgrade owns this rollout (its name): the traffic commands leave it alone. */
  upgrade?: string;
  /** The upgrade's phase (capacity-wait, baking, final-bake, releasing, released, rollback-settling, settled). */
  phase?: string;
  /** When the phase's current wait began: a capacity wait's start, a rollback's settling start. */
  phaseSince?: number;
}

const format = "hm1";
// A TXT character-string holds at most 255 bytes; longer values are split into several strings.
const chunkSize = 255;

function encodeWeights(weights: Weights): string {
  return Object.entries(weights)
    .map(([id, w]) => `${encodeURIComponent(id)}:${w}`)
    .join(",");
}

function decodeWeights(text: string): Weights {
  const weights: Weights = {};
  for (const part of text.split(",")) {
    const at = part.lastIndexOf(":");
    weights[decodeURIComponent(part.slice(0, at))] = Number(part.slice(at + 1));
  }
  return weights;
}

/** The TXT record's value: quoted strings of URL-encoded fields, so no quote or backslash needs escaping. */
export function encodeMetadata(m: RolloutMetadata): string {
  const fields = new URLSearchParams({
    v: format,
    id: m.rolloutId,
    to: m.target,
    st: m.status,
    step: String(m.step),
    pn: m.planName,
    plan: encodePlan(m.steps),
    base: encodeWeights(m.baseline),
    w: encodeWeights(m.weights),
    rev: String(m.revision),
    t0: String(m.startedAt),
    at: String(m.updatedAt),
    bake: String(m.bakeUntil),
    waits: String(m.waits),
  });
  if (m.reason) fields.set("why", m.reason.slice(0, 200));
  if (m.deployment) fields.set("dep", m.deployment.slice(0, 80));
  // Optional and absent for plain rollouts, so older readers and older records stay compatible.
  if (m.upgrade) fields.set("up", m.upgrade);
  if (m.phase) fields.set("ph", m.phase);
  if (m.phaseSince !== undefined) fields.set("ps", String(m.phaseSince));
  const text = fields.toString();
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(`"${text.slice(i, i + chunkSize)}"`);
  return chunks.join(" ");
}

const int = z.coerce.number().check(z.int(), z.minimum(0));
const fieldsSchema = z.object({
  v: z.literal(format),
  id: z.string().check(z.minLength(1)),
  to: z.string().check(z.minLength(1)),
  st: z.enum(["running", "paused", "completed", "rolled_back", "aborted"]),
  // -1: an upgrade waiting for green's capacity before its first step (no step's weights are live yet).
  step: z.coerce.number().check(z.int(), z.minimum(-1)),
  pn: z.string(),
  plan: z.pipe(z.string(), z.transform(decodePlan)),
  base: z.pipe(z.string(), z.transform(decodeWeights)),
  w: z.pipe(z.string(), z.transform(decodeWeights)),
  rev: int,
  t0: int,
  at: int,
  bake: int,
  waits: int,
  why: z.optional(z.string()),
  dep: z.optional(z.string()),
  up: z.optional(z.string().check(z.minLength(1))),
  ph: z.optional(z.string().check(z.minLength(1))),
  ps: z.optional(int),
});

/** Reads a TXT value written by `encodeMetadata`; undefined when it is not ours or not readable. */
export function decodeMetadata(value: string): RolloutMetadata | undefined {
  const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  let parsed: ReturnType<typeof fieldsSchema.safeParse>;
  try {
    parsed = fieldsSchema.safeParse(Object.fromEntries(new URLSearchParams(strings.join(""))));
  } catch {
    return undefined; // a plan or weight list that does not decode
  }
  if (!parsed.success) return undefined;
  const f = parsed.data;
  return {
    rolloutId: f.id,
    target: f.to,
    status: f.st,
    step: f.step,
    planName: f.pn,
    steps: f.plan,
    baseline: f.base,
    weights: f.w,
    revision: f.rev,
    startedAt: f.t0,
    updatedAt: f.at,
    bakeUntil: f.bake,
    waits: f.waits,
    reason: f.why,
    deployment: f.dep,
    ...(f.up ? { upgrade: f.up } : {}),
    ...(f.ph ? { phase: f.ph } : {}),
    ...(f.ps !== undefined ? { phaseSince: f.ps } : {}),
  };
}
