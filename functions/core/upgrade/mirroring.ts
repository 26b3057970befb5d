// Capacity mirroring: before green gets a share of the traffic, it gets that share of blue's replicas.
import type { MirroredFloor } from "./notifications.ts";
import type { HpaFacts } from "./ports.ts";

/**
 * Green's floor for one HPA: ceil(blue's current replicas × green's share after the step × margin),
 * never below green's original minReplicas and never above its maxReplicas (pre-scaling's `respect`).
 */
export function mirroredFloor(blueReplicas: number, greenPercent: number, margin: number, green: HpaFacts): number {
  // Rounded before ceil: 4 × 0.3 × 1.25 is 1.5000000000000002 in floating point, not a reason for a third pod.
  const wanted = Math.ceil(Number((blueReplicas * (greenPercent / 100) * margin).toFixed(6)));
  return Math.min(Math.max(wanted, green.originalMin), green.max);
}

/** Floors for every HPA both clusters have, with how many of green's pods are Ready now. */
export function mirroredFloors(
  blue: readonly HpaFacts[],
  green: readonly HpaFacts[],
  greenPercent: number,
  margin: number,
): MirroredFloor[] {
  const blueByKey = new Map(blue.map((h) => [`${h.namespace}/${h.name}`, h]));
  const floors: MirroredFloor[] = [];
  for (const g of green) {
    const b = blueByKey.get(`${g.namespace}/${g.name}`);
    if (!b) continue; // the ready gate refused that before any weight moved
    const floor = mirroredFloor(b.currentReplicas, greenPercent, margin, g);
    floors.push({ namespace: g.namespace, hpa: g.name, blueReplicas: b.currentReplicas, floor, ready: g.readyPods });
  }
  return floors;
}

/** The step may move its weights: every mirrored floor has that many Ready pods. */
export function capacityReady(floors: readonly MirroredFloor[]): boolean {
  return floors.every((f) => f.ready >= f.floor);
}

/** Blue serves again after a rollback: each HPA's target has as many Ready pods as its (held) floor. */
export function blueServing(blue: readonly HpaFacts[]): boolean {
  return blue.every((h) => h.readyPods >= h.min);
}

export function readyPods(hpas: readonly HpaFacts[]): number {
  return hpas.reduce((sum, h) => sum + h.readyPods, 0);
}
