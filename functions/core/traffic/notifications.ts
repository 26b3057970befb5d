// Typed notifications of traffic shifting; one thread per rollout.
import type { NotificationEnvelope } from "../notifications.ts";
import type { Weights } from "./weights.ts";

export interface TrafficBase extends NotificationEnvelope {
  domain: string;
  rolloutId: string;
  target: string;
}

export type DeploySource = "eventbridge" | "argocd" | "github";
export type DeployStatus = "started" | "succeeded" | "failed";

export type TrafficNotification =
  | (TrafficBase & {
      type: "rollout_started";
      plan: string;
      percents: number[];
      baseline: Weights;
      deployment?: string;
    })
  | (TrafficBase & {
      type: "rollout_step";
      step: number;
      of: number;
      percent: number;
      weights: Weights;
      bakeUntil: string;
    })
  | (TrafficBase & { type: "rollout_waiting"; reason: string; retryAt: string })
  | (TrafficBase & { type: "rollout_paused"; reason: string; actor?: string })
  | (TrafficBase & { type: "rollout_resumed"; actor?: string })
  /** A person moved the weights by hand: the plan waits for `resume`, `rollback` restores the baseline. */
  | (TrafficBase & { type: "rollout_shifted"; percent: number; weights: Weights; actor?: string; reason: string })
  | (TrafficBase & { type: "rollout_completed"; weights: Weights; durationMs: number })
  | (TrafficBase & {
      type: "rollout_rolled_back";
      reason: string;
      alarm?: string;
      weights: Weights;
      durationMs: number;
    })
  | (TrafficBase & { type: "rollout_aborted"; reason: string; actor?: string; weights: Weights })
  /** Nothing was written: the domain is not in a state the rollout may touch. */
  | (TrafficBase & { type: "rollout_refused"; reason: string })
  /** Someone else changed the records between a read and a write, or since the rollout last wrote. */
  | (TrafficBase & { type: "rollout_conflict"; reason: string })
  /** Every deploy notification posts, whether or not it starts a rollout. */
  | (NotificationEnvelope & {
      type: "deploy_event";
      source: DeploySource;
      application: string;
      status: DeployStatus;
      environment?: string;
      revision?: string;
      target?: string;
      url?: string;
      domain?: string;
      rolloutId?: string;
    });
