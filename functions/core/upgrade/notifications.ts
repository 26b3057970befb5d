// Typed notifications of a cluster upgrade; one Slack thread per upgrade run.
import type { NotificationEnvelope } from "../notifications.ts";
import type { Weights } from "../traffic/weights.ts";

export interface UpgradeBase extends NotificationEnvelope {
  upgrade: string;
  rolloutId: string;
  blue: string;
  green: string;
}

/** One HPA's mirrored floor: what the formula gave, and how many of its pods were Ready. */
export interface MirroredFloor {
  namespace: string;
  hpa: string;
  blueReplicas: number;
  floor: number;
  ready: number;
}

export type UpgradeNotification =
  | (UpgradeBase & { type: "upgrade_started"; plan: string; percents: number[]; actor?: string })
  /** The ready gate failed: nothing moved; `missing` names each thing that is not there or not ready. */
  | (UpgradeBase & { type: "upgrade_refused"; reason: string; missing: string[] })
  /** Floors raised before a step, and whether the pods are Ready yet. */
  | (UpgradeBase & { type: "upgrade_capacity"; step: number; percent: number; floors: MirroredFloor[]; ready: boolean })
  | (UpgradeBase & {
      type: "upgrade_step";
      step: number;
      of: number;
      percent: number;
      weights: Weights;
      /** How long the step waited for capacity, and how long from its start to its weights being live. */
      capacityWaitMs: number;
      stepMs: number;
      /** The capacity the step waited for (empty with mirroring off). */
      floors?: MirroredFloor[];
    })
  | (UpgradeBase & { type: "upgrade_paused"; reason: string; actor?: string })
  | (UpgradeBase & { type: "upgrade_resumed"; actor?: string })
  | (UpgradeBase & { type: "upgrade_rolled_back"; reason: string; alarm?: string; weights: Weights })
  /** After a rollback: blue serves again with its Ready pods, so green's raised floors were restored. */
  | (UpgradeBase & { type: "upgrade_rollback_settled"; bluePods: number })
  | (UpgradeBase & { type: "upgrade_completed"; weights: Weights; durationMs: number })
  /** Green held 100 % through the bake: its floors restored, blue reported (and scaled down if asked). */
  | (UpgradeBase & {
      type: "upgrade_released";
      blueTrafficPercent: number;
      bluePods: number;
      scaledDown: string[];
    })
  | (UpgradeBase & { type: "upgrade_status"; text: string })
  | (UpgradeBase & { type: "upgrade_failed"; reason: string });
