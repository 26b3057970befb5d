import type { Kind } from "./events/kinds.ts";

export interface BlockedPod {
  namespace: string;
  name: string;
  budgets: string[];
  message: string;
}

/** Typed notification events; the Slack notifier threads them by `threadKey`. */
export type Notification =
  | (NotificationBase & { type: "drain_started"; deadline: string; action: string })
  | (NotificationBase & { type: "drain_blocked"; blocked: BlockedPod[]; evicted: number; remaining: number })
  | (NotificationBase & { type: "drain_completed"; evicted: number; forced: number; durationMs: number })
  | (NotificationBase & { type: "drain_failed"; reason: string; blocked: BlockedPod[] })
  | (NotificationBase & { type: "instance_event"; action: string; detail: string });

export interface NotificationBase {
  /** One thread per interruption of one instance, however many events announce it. */
  threadKey: string;
  /** Same key, same notification: a consumer posts it once. */
  dedupeKey: string;
  kind: Kind;
  instanceId: string;
  nodeName?: string;
  eventId: string;
  at: string;
}
