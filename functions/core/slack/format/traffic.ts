// Traffic shifting: one thread per rollout; a deploy event threads on its own key.
import type { TrafficNotification } from "../../traffic/notifications.ts";
import { code, context, escapeText, type SlackMessage, section } from "../messages.ts";
import { type NotificationFormatter, seconds, when } from "./formatter.ts";

export const trafficTypes = [
  "rollout_started",
  "rollout_step",
  "rollout_waiting",
  "rollout_paused",
  "rollout_resumed",
  "rollout_shifted",
  "rollout_completed",
  "rollout_rolled_back",
  "rollout_aborted",
  "rollout_refused",
  "rollout_conflict",
  "deploy_event",
] as const;

const weights = (w: object) =>
  Object.entries(w)
    .map(([name, value]) => `${escapeText(name)} ${String(value)}`)
    .join(" / ");

function status(n: TrafficNotification): string {
  const by = "actor" in n && n.actor ? ` by ${escapeText(n.actor)}` : "";
  switch (n.type) {
    case "rollout_started":
      return `:rocket: rollout started: ${n.percents.join("% → ")}%`;
    case "rollout_step":
      return `:arrow_forward: step ${n.step}/${n.of}: ${n.percent}% (${weights(n.weights)}), bake until ${when(n.bakeUntil)}`;
    case "rollout_waiting":
      return `:hourglass: waiting: ${escapeText(n.reason)}, retry ${when(n.retryAt)}`;
    case "rollout_paused":
      return `:double_vertical_bar: paused${by}: ${escapeText(n.reason)}`;
    case "rollout_resumed":
      return `:arrow_forward: resumed${by}`;
    case "rollout_shifted":
      return `:left_right_arrow: shifted${by} to ${n.percent}% (${weights(n.weights)}); the plan waits: resume continues it, rollback restores the baseline`;
    case "rollout_completed":
      return `:white_check_mark: completed in ${seconds(n.durationMs)} (${weights(n.weights)})`;
    case "rollout_rolled_back":
      return `:rewind: rolled back: ${escapeText(n.reason)}${n.alarm ? ` (alarm ${code(n.alarm)})` : ""}`;
    case "rollout_aborted":
      return `:octagonal_sign: aborted${by}: ${escapeText(n.reason)}`;
    case "rollout_refused":
      return `:no_entry: refused: ${escapeText(n.reason)}`;
    case "rollout_conflict":
      return `:warning: conflict: ${escapeText(n.reason)}`;
    case "deploy_event":
      return `:package: ${escapeText(n.application)} ${escapeText(n.status)}${n.revision ? ` at ${code(n.revision)}` : ""} (${escapeText(n.source)})`;
  }
}

function title(n: TrafficNotification): string {
  if (n.type === "deploy_event")
    return `*Deploy* · ${escapeText(n.application)}${n.environment ? ` · ${escapeText(n.environment)}` : ""}`;
  return `*Rollout* · ${code(n.domain)} → ${escapeText(n.target)} · ${code(n.rolloutId)}`;
}

export const trafficFormatter: NotificationFormatter<TrafficNotification> = {
  feature: "traffic",
  thread: (n) => n.threadKey,
  namespaces: () => [],
  parent: (n): SlackMessage => ({
    text: `${title(n)}: ${n.type}`,
    blocks: [section(title(n)), section(status(n)), context(`updated ${when(n.at)}`)],
  }),
  step: (n): SlackMessage => ({ text: `${n.type}`, blocks: [section(status(n)), context(when(n.at))] }),
};
