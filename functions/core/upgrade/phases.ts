// The phases of an upgrade, kept in the domain's rollout metadata beside the traffic status.
import type { RolloutMetadata } from "../traffic/metadata.ts";

export const upgradePhases = [
  /** Green's floors are raised for the next step; the weights wait for its pods to be Ready. */
  "capacity-wait",
  /** A step's weights are live; the next step may start after its bake. */
  "baking",
  /** Green holds 100 %: after the upgrade's bake time, blue is released. */
  "final-bake",
  /** Completed: green's and blue's floors are being restored (a ticket finishes it if this run dies). */
  "releasing",
  "released",
  /** Rolled back: the weights are blue's again; green's floors stay until blue's Ready pods cover 100 %. */
  "rollback-settling",
  "settled",
] as const;
export type UpgradePhase = (typeof upgradePhases)[number];

export function phaseOf(m: RolloutMetadata): UpgradePhase | undefined {
  return upgradePhases.find((p) => p === m.phase);
}

/** Phases with work left for a ticket: the schedule chain must not break in any of them. */
export const pendingPhases: readonly UpgradePhase[] = [
  "capacity-wait",
  "baking",
  "final-bake",
  "releasing",
  "rollback-settling",
];

/** Traffic may move in these (a rollback puts it back at once). */
export const trafficPhases: readonly UpgradePhase[] = ["capacity-wait", "baking", "final-bake"];

/** The upgrade this domain's records belong to while it still has work to do; traffic commands keep out. */
export function busyUpgrade(m: RolloutMetadata | undefined): string | undefined {
  if (!m?.upgrade) return undefined;
  const phase = phaseOf(m);
  const moving =
    phase !== undefined && trafficPhases.includes(phase) && (m.status === "running" || m.status === "paused");
  const finishing = phase === "releasing" || phase === "rollback-settling";
  return moving || finishing ? m.upgrade : undefined;
}

export function threadOfUpgrade(name: string, rolloutId: string): string {
  return `upgrade/${name}/${rolloutId}`;
}
