// Pre-scaling: one thread per raise (the feature's threadKey), the parent showing the latest state.
import type { PrescalingNotification } from "../../prescaling/notifications.ts";
import type { LevelChange } from "../../prescaling/reconcile.ts";
import { code, context, escapeText, type SlackMessage, section } from "../messages.ts";
import {
  clusterMark,
  clusterText,
  inCluster,
  type NotificationFormatter,
  onCluster,
  stepContext,
  when,
} from "./formatter.ts";

export const prescalingTypes = [
  "prescale_raised",
  "prescale_restore_scheduled",
  "prescale_restored",
  "prescale_overridden",
  "prescale_failed",
] as const;

const changes = (list: readonly LevelChange[]) =>
  list.map((c) => `${c.level} ${c.from}→${c.to}`).join(", ") || "no change";

function status(n: PrescalingNotification): string {
  switch (n.type) {
    case "prescale_raised": {
      const targets = n.targets.map(
        (t) => `${code(`${t.target.namespace}/${t.target.name}`)} ${escapeText(changes(t.changes))}`,
      );
      const room = n.headroom ? ` · headroom ${n.headroom.wantedUnits} units (${n.headroom.shortUnits} short)` : "";
      return `:arrow_up: raised until ${when(n.expiresAt)}: ${targets.join("; ")}${room}`;
    }
    case "prescale_restore_scheduled":
      return `:alarm_clock: restore scheduled ${when(n.restoreAt)}`;
    case "prescale_restored":
      return `:arrow_down: restored ${code(`${n.object.namespace}/${n.object.name}`)} (${n.reason}): ${escapeText(changes(n.changes))}${n.kept.length ? ` · ${n.kept.length} level(s) kept` : ""}`;
    case "prescale_overridden":
      return `:raised_hand: ${code(`${n.object.namespace}/${n.object.name}`)} ${n.level} changed by someone else: ours ${n.ours}, theirs ${n.theirs}`;
    case "prescale_failed":
      return `:x: pre-scaling failed: ${escapeText(n.reason)}`;
  }
}

function namespaces(n: PrescalingNotification): string[] {
  if (n.type === "prescale_raised") return [...new Set(n.targets.map((t) => t.target.namespace))];
  if (n.type === "prescale_restored" || n.type === "prescale_overridden") return [n.object.namespace];
  return [];
}

export const prescalingFormatter: NotificationFormatter<PrescalingNotification> = {
  feature: "prescaling",
  thread: (n) => inCluster(n, n.threadKey),
  namespaces,
  parent: (n): SlackMessage => ({
    text: `Pre-scaling${clusterText(n)} · ${n.policy}: ${n.type}`,
    blocks: [
      section(`*Pre-scaling*${clusterMark(n)} · ${code(n.policy)} · ${escapeText(n.trigger)}`),
      section(status(n)),
      context(`updated ${when(n.at)}`),
    ],
  }),
  step: (n): SlackMessage => ({
    text: `${n.type} for ${n.policy}${onCluster(n)}`,
    blocks: [section(status(n)), stepContext(n)],
  }),
};
