// Route53 weights as the rollout sees them: one integer per SetIdentifier, relative to their sum.
import { TrafficRefused } from "./errors.ts";

/** SetIdentifier → weight (0..255, Route53's range). Key order is the configured order. */
export type Weights = Record<string, number>;

export const maxRoute53Weight = 255;

/**
 * Weights that send `percent` of traffic to `target` and share the rest among the other sets in proportion
 * to their `baseline` weights. Integers summing to 100 (largest remainder), so a percentage reads as itself.
 */
export function weightsAt(baseline: Weights, target: string, percent: number): Weights {
  const others = Object.keys(baseline).filter((id) => id !== target);
  const otherTotal = others.reduce((sum, id) => sum + (baseline[id] ?? 0), 0);
  if (percent < 100 && otherTotal === 0 && !(baseline[target] ?? 0)) {
    throw new TrafficRefused(`no traffic to shift: every set except ${target} has weight 0`);
  }
  const rest = 100 - percent;
  // Only a manual shift away from a target that had everything meets others all at 0: they share it evenly.
  const shareOf = (id: string) => (otherTotal ? (baseline[id] ?? 0) / otherTotal : 1 / others.length);
  const exact = others.map((id) => ({ id, share: rest * shareOf(id) }));
  const result: Weights = {};
  for (const id of Object.keys(baseline)) result[id] = id === target ? percent : 0;
  let left = rest;
  for (const { id, share } of exact) {
    result[id] = Math.floor(share);
    left -= Math.floor(share);
  }
  const byRemainder = [...exact].sort((a, b) => b.share - Math.floor(b.share) - (a.share - Math.floor(a.share)));
  for (let i = 0; left > 0 && byRemainder.length > 0; i = (i + 1) % byRemainder.length, left--) {
    const id = (byRemainder[i] as { id: string }).id;
    result[id] = (result[id] ?? 0) + 1;
  }
  return result;
}

/** Route53 spreads traffic evenly when every weight is 0: never what a rollout means, so never written. */
export function assertWritable(weights: Weights): void {
  const values = Object.values(weights);
  if (values.length < 2) throw new TrafficRefused("a rollout needs at least two weighted record sets");
  if (values.every((w) => w === 0)) throw new TrafficRefused("refusing to write all-zero weights");
  for (const [id, w] of Object.entries(weights)) {
    if (!Number.isInteger(w) || w < 0 || w > maxRoute53Weight) {
      throw new TrafficRefused(`weight ${w} for ${id} is outside Route53's 0..${maxRoute53Weight}`);
    }
  }
}

/** The share of traffic `target` receives, in whole percent. */
export function percentOf(weights: Weights, target: string): number {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : Math.round((100 * (weights[target] ?? 0)) / total);
}

export function sameWeights(a: Weights, b: Weights): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

export function formatWeights(weights: Weights): string {
  return Object.entries(weights)
    .map(([id, w]) => `${id}=${w}`)
    .join(" ");
}
