import type { IgnoredKind, Kind } from "./kinds.ts";

export interface LifecycleAction {
  groupName: string;
  hookName: string;
  token: string;
  transition: "autoscaling:EC2_INSTANCE_TERMINATING" | "autoscaling:EC2_INSTANCE_LAUNCHING";
  /** "WarmPool" when the instance moves into or out of a warm pool rather than being terminated/launched. */
  origin: string;
  destination: string;
}

/** One actionable interruption of one instance: every event source is normalised into this. */
export interface InterruptionMessage {
  kind: Kind;
  /** Correlation id: the EventBridge event id, or the ASG RequestId for direct notifications. */
  eventId: string;
  instanceId: string;
  /** When AWS emitted the event; deadlines count from here, not from when we read it. */
  eventTime: Date;
  region?: string;
  account?: string;
  lifecycle?: LifecycleAction;
  /** AWS Health: when the scheduled change starts. */
  startTime?: Date;
  /** EC2 state-change: the new state. */
  state?: string;
}

export type ParsedBody =
  | { outcome: "actionable"; messages: InterruptionMessage[] }
  | { outcome: "ignored"; kind: IgnoredKind; reason: string }
  | { outcome: "malformed"; error: string };
