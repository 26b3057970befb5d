// What can happen to an upgrade, whatever delivered it: a person in Slack, a custom event, Argo CD, a schedule.
export const upgradeActions = ["start", "status", "promote", "pause", "resume", "rollback"] as const;
export type UpgradeAction = (typeof upgradeActions)[number];

/** A one-shot schedule's input: the upgrade's next check (capacity, bake or step), for one revision. */
export interface UpgradeTicket {
  upgrade: string;
  rolloutId: string;
  revision: number;
}

export type UpgradeCommand =
  | {
      kind: "upgrade";
      upgrade: string;
      action: UpgradeAction;
      actor?: string;
      reason?: string;
      /** The delivering event's id: a retried start starts one upgrade. */
      eventId: string;
    }
  | { kind: "upgrade_step"; ticket: UpgradeTicket };
