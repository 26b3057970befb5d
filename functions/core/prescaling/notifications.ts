import type { NotificationEnvelope } from "../notifications.ts";
import type { FreeCapacity } from "./headroom.ts";
import type { Level } from "./holds.ts";
import type { TargetRef } from "./policy.ts";
import type { ObjectRef } from "./ports.ts";
import type { LevelChange } from "./reconcile.ts";

export interface RaisedTarget {
  target: TargetRef;
  /** What was patched: the ScaledObject when KEDA owns the HPA. Absent when the target does not exist. */
  object?: ObjectRef;
  changes: LevelChange[];
  /** The floor wanted more than maxReplicas allows and the policy keeps maxReplicas. */
  capped?: { wanted: number; max: number };
  error?: string;
}

export interface HeadroomReport {
  object: ObjectRef;
  wantedUnits: number;
  changes: LevelChange[];
  placeholders: { running: number; pending: number };
  /** Schedulable room on the pool's nodes before this raise, placeholders' room counted as free. */
  free: FreeCapacity;
  /** Units the nodes there cannot hold: new nodes must come before they are reserved. */
  shortUnits: number;
}

export interface KeptLevel {
  level: Level;
  value: number;
  reason: "changed_by_a_person" | "held_by_another_trigger";
}

export type PrescalingNotification =
  | (PrescalingBase & {
      type: "prescale_raised";
      expiresAt: string;
      targets: RaisedTarget[];
      headroom?: HeadroomReport;
    })
  | (PrescalingBase & { type: "prescale_restore_scheduled"; restoreAt: string })
  | (PrescalingBase & {
      type: "prescale_restored";
      object: ObjectRef;
      reason: "expired" | "released";
      changes: LevelChange[];
      kept: KeptLevel[];
    })
  | (PrescalingBase & { type: "prescale_overridden"; object: ObjectRef; level: Level; ours: number; theirs: number })
  | (PrescalingBase & { type: "prescale_failed"; reason: string });

export interface PrescalingBase extends NotificationEnvelope {
  policy: string;
  /** `alarm:<name>`, `window:<name>`, or `command by <actor>` for a hold set through Slack. */
  trigger: string;
  eventId: string;
}
