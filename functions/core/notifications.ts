import type { Kind } from "./events/kinds.ts";
import type { PrescalingNotification } from "./prescaling/notifications.ts";
import type { TrafficNotification } from "./traffic/notifications.ts";
import type { UpgradeNotification } from "./upgrade/notifications.ts";

export interface BlockedPod {
  namespace: string;
  name: string;
  budgets: string[];
  message: string;
}

/**
 * Typed notification events of every feature; the Slack notifier threads them by `threadKey` and posts
 * each `dedupeKey` once. Each feature adds its own union here.
 */
export type Notification =
  | InterruptionNotification
  | TrafficNotification
  | PrescalingNotification
  | UpgradeNotification;

/** Fields every notification carries, whichever feature sends it. */
export interface NotificationEnvelope {
  /** One thread per interruption, rollout or scaling episode, however many events announce it. */
  threadKey: string;
  /** Same key, same notification: a consumer posts it once. */
  dedupeKey: string;
  at: string;
  /** The Harbormaster cluster the notification is about; every message names it. */
  cluster?: string;
}

export type InterruptionNotification =
  | (NotificationBase & { type: "drain_started"; deadline: string; action: string })
  | (NotificationBase & { type: "drain_blocked"; blocked: BlockedPod[]; evicted: number; remaining: number })
  | (NotificationBase & { type: "drain_completed"; evicted: number; forced: number; durationMs: number })
  | (NotificationBase & { type: "drain_failed"; reason: string; blocked: BlockedPod[] })
  | (NotificationBase & { type: "instance_event"; action: string; detail: string });

export interface NotificationBase extends NotificationEnvelope {
  kind: Kind;
  instanceId: string;
  nodeName?: string;
  eventId: string;
}
