import type { StepPlan } from "./plan.ts";

export type InsufficientDataPolicy = "proceed" | "wait" | "rollback";

/** A rollout's scope: one name with two or more weighted record sets, one SetIdentifier per cluster or ALB. */
export interface TrafficDomain {
  /** Short slug: names schedules, threads and commands. */
  name: string;
  hostedZoneId: string;
  /** Fully qualified, with the trailing dot. */
  recordName: string;
  recordType: "A" | "AAAA" | "CNAME";
  /** Where the rollout's TXT metadata lives (default `_harbormaster.<recordName>`). */
  metadataRecordName: string;
  setIdentifiers: string[];
  /** Gates: none may be in ALARM before a step; an ALARM state-change event rolls back at once. */
  alarms: string[];
  /** What a gate does with an alarm in INSUFFICIENT_DATA; no default, each domain says. */
  insufficientData: InsufficientDataPolicy;
  /** Under `wait`: how long until the gate looks again, and how many times before it rolls back. */
  insufficientDataRetrySeconds: number;
  maxInsufficientDataWaits: number;
  plan: StepPlan;
  /** Deploy notifications for these applications, naming one of the sets as target, start a rollout. */
  applications: string[];
}
