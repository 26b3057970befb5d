// Interruptions: one thread per instance, whichever events (spot, rebalance, ASG hook, state change) announce it.
import type { InterruptionNotification } from "../../notifications.ts";
import { code, context, escapeText, type SlackMessage, section } from "../messages.ts";
import {
  clusterMark,
  clusterText,
  inCluster,
  type NotificationFormatter,
  onCluster,
  seconds,
  stepContext,
  when,
} from "./formatter.ts";

const titles: Record<string, string> = {
  spot_interrupted: "Spot interruption",
  rebalance_recommendation: "Rebalance recommendation",
  scheduled_change: "Scheduled change",
  instance_stopping: "Instance stopping",
  instance_terminated: "Instance terminated",
  terminate_lifecycle: "ASG termination",
  launch_lifecycle: "ASG launch",
};

export const interruptionTypes = [
  "drain_started",
  "drain_blocked",
  "drain_completed",
  "drain_failed",
  "instance_event",
] as const;

function status(n: InterruptionNotification): string {
  switch (n.type) {
    case "drain_started":
      return `:hourglass_flowing_sand: cordoned (${escapeText(n.action)}), deadline ${when(n.deadline)}`;
    case "drain_blocked":
      return `:warning: ${n.blocked.length} pod(s) blocked by a budget · ${n.evicted} evicted, ${n.remaining} remaining`;
    case "drain_completed":
      return `:white_check_mark: drained in ${seconds(n.durationMs)} · ${n.evicted} evicted${n.forced ? `, ${n.forced} forced` : ""}`;
    case "drain_failed":
      return `:x: drain failed: ${escapeText(n.reason)}${n.blocked.length ? ` · ${n.blocked.length} pod(s) blocked` : ""}`;
    case "instance_event":
      return `:information_source: ${escapeText(n.detail)} (${escapeText(n.action)})`;
  }
}

function blockers(n: InterruptionNotification): string[] {
  if (n.type !== "drain_blocked" && n.type !== "drain_failed") return [];
  return n.blocked
    .slice(0, 10)
    .map((b) => `• ${code(`${b.namespace}/${b.name}`)} — ${escapeText(b.budgets.join(", ") || b.message)}`);
}

export const interruptionFormatter: NotificationFormatter<InterruptionNotification> = {
  feature: "interruption",
  thread: (n) => inCluster(n, `instance/${n.instanceId}`),
  namespaces: (n) => (n.type === "drain_blocked" || n.type === "drain_failed" ? n.blocked.map((b) => b.namespace) : []),
  parent(n): SlackMessage {
    const title = `${titles[n.kind] ?? n.kind}${clusterText(n)} · ${n.instanceId}${n.nodeName ? ` · node ${n.nodeName}` : ""}`;
    return {
      text: `${title}: ${n.type}`,
      blocks: [
        section(
          `*${escapeText(titles[n.kind] ?? n.kind)}*${clusterMark(n)} · ${code(n.instanceId)}${n.nodeName ? ` · node ${code(n.nodeName)}` : ""}`,
        ),
        section(status(n)),
        context(`updated ${when(n.at)} · event ${escapeText(n.eventId)}`),
      ],
    };
  },
  step(n): SlackMessage {
    const lines = blockers(n);
    return {
      text: `${n.type} for ${n.instanceId}${onCluster(n)}`,
      blocks: [section(status(n)), ...(lines.length ? [section(lines.join("\n"))] : []), stepContext(n)],
    };
  },
};
