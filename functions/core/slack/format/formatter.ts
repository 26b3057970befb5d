import type { Notification } from "../../notifications.ts";
import type { SlackMessage } from "../messages.ts";

/** How one feature's notifications look in Slack and which thread each belongs to. */
export interface NotificationFormatter<N = Notification> {
  feature: string;
  /** The Slack thread: one per incident (an instance, a rollout, an alarm). */
  thread(notification: N): string;
  /** Namespaces a notification concerns, for routing. */
  namespaces(notification: N): string[];
  /** The thread's parent, rewritten in place with the latest state. */
  parent(notification: N): SlackMessage;
  /** One step in the thread. */
  step(notification: N): SlackMessage;
}

export const when = (at: string) => {
  const seconds = Math.floor(Date.parse(at) / 1000);
  return Number.isFinite(seconds) ? `<!date^${seconds}^{date_short_pretty} {time_secs}|${at}>` : at;
};

export const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;
