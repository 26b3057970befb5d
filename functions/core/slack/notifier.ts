// Posts notifications to Slack: one thread per incident, its parent kept current, each step once.
import type { Notification } from "../notifications.ts";
import type { MetricsPort, NotifierPort } from "../ports.ts";
import { formatterFor, withCluster } from "./format/index.ts";
import type { SlackPort, ThreadStore } from "./ports.ts";
import { channelFor, type Route } from "./routing.ts";

export interface SlackNotifierDeps {
  slack: SlackPort;
  threads: ThreadStore;
  routes: readonly Route[];
  defaultChannel: string;
  metrics: MetricsPort;
  log: { error(message: string, fields: Record<string, unknown>): void };
}

export type Delivery = "parent" | "step" | "duplicate";

export class SlackNotifier implements NotifierPort {
  private readonly deps: SlackNotifierDeps;

  constructor(deps: SlackNotifierDeps) {
    this.deps = deps;
  }

  /** NotifierPort: never throws, so a Slack outage never fails the drain, scale or rollback that notifies. */
  async publish(notification: Notification, cluster?: string): Promise<void> {
    try {
      await this.deliver(notification, cluster);
    } catch (error) {
      this.deps.metrics.count("SlackNotificationFailed", { type: notification.type });
      this.deps.log.error("slack notification failed", {
        type: notification.type,
        dedupeKey: notification.dedupeKey,
        error,
      });
    }
  }

  /**
   * Throws when Slack fails, for a queue to retry. Callers serialise notifications of one thread (the queue
   * groups by thread); the store's conditional create still keeps two parents from both being recorded.
   */
  async deliver(received: Notification, cluster?: string): Promise<Delivery> {
    const { slack, threads, metrics } = this.deps;
    const notification = withCluster(received, cluster);
    const format = formatterFor(notification);
    const threadKey = format.thread(notification);
    const existing = await threads.get(threadKey);
    if (existing?.posted.includes(notification.dedupeKey)) {
      metrics.count("SlackNotificationDuplicate", { type: notification.type });
      return "duplicate";
    }
    if (!existing) {
      const channel = channelFor(
        this.deps.routes,
        {
          cluster: notification.cluster,
          namespaces: format.namespaces(notification),
          kinds: kindsOf(notification, format.feature),
        },
        this.deps.defaultChannel,
      );
      const ts = await slack.post(channel, format.parent(notification));
      if (await threads.create(threadKey, { channel, ts, posted: [notification.dedupeKey] })) {
        metrics.count("SlackThreadStarted", { feature: format.feature });
        return "parent";
      }
      // Lost a race for the thread: ours becomes a step of the winner's (rare; queue groups prevent it).
      return this.deliver(notification, cluster);
    }
    await slack.post(existing.channel, format.step(notification), existing.ts);
    await threads.markPosted(threadKey, notification.dedupeKey);
    await slack.update(existing.channel, existing.ts, format.parent(notification));
    metrics.count("SlackThreadStep", { feature: format.feature });
    return "step";
  }
}

function kindsOf(notification: Notification, feature: string): string[] {
  const kind = "kind" in notification && typeof notification.kind === "string" ? [notification.kind] : [];
  return [notification.type, ...kind, feature];
}
