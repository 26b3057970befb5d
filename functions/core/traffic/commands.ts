// What can happen to a rollout, whatever delivered it: a schedule, an alarm, a deploy, a person.
import type { DeploySource, DeployStatus } from "./notifications.ts";
import type { StepTicket } from "./ports.ts";

export const controlActions = ["pause", "resume", "abort", "promote", "shift"] as const;
export type ControlAction = (typeof controlActions)[number];

/** A deployment as CI, Argo CD or GitHub reported it. */
export interface DeployNotice {
  source: DeploySource;
  /** Stable per delivery, so a retried delivery starts the same rollout once. */
  id: string;
  application: string;
  status: DeployStatus;
  environment?: string;
  revision?: string;
  /** The SetIdentifier (cluster or ALB) the new version runs behind. */
  target?: string;
  url?: string;
}

export type TrafficCommand =
  | { kind: "step"; ticket: StepTicket }
  | { kind: "alarm"; alarmName: string; reason: string; eventId: string; at: number }
  | {
      kind: "control";
      domain: string;
      action: ControlAction;
      actor?: string;
      reason?: string;
      /** `shift`: the share of traffic the target gets, and the target when the command names one. */
      percent?: number;
      target?: string;
      /** The delivering event's id: a shift that starts a rollout names it after this, once. */
      eventId?: string;
    }
  | { kind: "deploy"; deploy: DeployNotice };
