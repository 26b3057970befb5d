import type { Notification, NotificationEnvelope } from "../../notifications.ts";
import { context, escapeText, type SlackMessage } from "../messages.ts";

/** How one feature's notifications look in Slack and which thread each belongs to. */
export interface NotificationFormatter<N = Notification> {
  feature: string;
  /** The Slack thread: one per incident (an instance, a rollout, an alarm) in one cluster. */
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

/**
 * A thread key of one cluster: the same instance id or HPA name in two clusters must never share a thread.
 * Cluster names hold no ":" or "/", so a prefixed key can never equal another cluster's or an unnamed one.
 */
export const inCluster = (n: NotificationEnvelope, key: string) => (n.cluster ? `cluster:${n.cluster}/${key}` : key);

/** " · production-blue" for fallback text, nothing when the cluster is not known. */
export const clusterText = (n: NotificationEnvelope) => (n.cluster ? ` · ${n.cluster}` : "");

/** " · *production-blue*" for Block Kit. */
export const clusterMark = (n: NotificationEnvelope) => (n.cluster ? ` · *${escapeText(n.cluster)}*` : "");

/** " on production-blue" for a thread reply's fallback text. */
export const onCluster = (n: NotificationEnvelope) => (n.cluster ? ` on ${n.cluster}` : "");

/** A thread reply's last line: its cluster, then when it happened. */
export const stepContext = (n: NotificationEnvelope) =>
  context(n.cluster ? `cluster *${escapeText(n.cluster)}* · ${when(n.at)}` : when(n.at));
