// Traffic shifting: one thread per rollout; a deploy event threads on its own key. A rollout moves traffic
// between record sets that stand for clusters, so its thread is the domain's, not one cluster's.
import type { TrafficNotification } from "../../traffic/notifications.ts";
import { code, context, escapeText, type SlackMessage, section } from "../messages.ts";
import {
  clusterMark,
  clusterText,
  type NotificationFormatter,
  onCluster,
  seconds,
  stepContext,
  when,
} from "./formatter.ts";

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
      return `:rocket: rollout started from ${weights(n.baseline)}: ${n.percents.join("% → ")}%`;
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

/** The record sets a rollout shifts between, as far as this notification tells: "blue → green". */
function between(n: Exclude<TrafficNotification, { type: "deploy_event" }>): string {
  const known = "weights" in n ? n.weights : n.type === "rollout_started" ? n.baseline : {};
  const from = Object.keys(known).filter((set) => set !== n.target);
  return `${from.length ? `${from.join(", ")} → ` : "→ "}${n.target}`;
}

function title(n: TrafficNotification): { text: string; markdown: string } {
  if (n.type === "deploy_event") {
    const env = n.environment ? ` · ${n.environment}` : "";
    return {
      text: `Deploy${clusterText(n)} · ${n.application}${env}`,
      markdown: `*Deploy*${clusterMark(n)} · ${escapeText(n.application)}${escapeText(env)}`,
    };
  }
  return {
    text: `Rollout${clusterText(n)} · ${n.domain} · ${between(n)} · ${n.rolloutId}`,
    markdown: `*Rollout*${clusterMark(n)} · ${code(n.domain)} · ${escapeText(between(n))} · ${code(n.rolloutId)}`,
  };
}

const subject = (n: TrafficNotification) => (n.type === "deploy_event" ? n.application : `${n.domain} (${between(n)})`);

export const trafficFormatter: NotificationFormatter<TrafficNotification> = {
  feature: "traffic",
  thread: (n) => n.threadKey,
  namespaces: () => [],
  parent: (n): SlackMessage => ({
    text: `${title(n).text}: ${n.type}`,
    blocks: [section(title(n).markdown), section(status(n)), context(`updated ${when(n.at)}`)],
  }),
  step: (n): SlackMessage => ({
    text: `${n.type} for ${subject(n)}${onCluster(n)}`,
    blocks: [section(status(n)), stepContext(n)],
  }),
};
