// Any notification type without a formatter of its own: its fields, as they are.
import type { NotificationEnvelope } from "../../notifications.ts";
import { code, context, escapeText, section } from "../messages.ts";
import {
  clusterMark,
  clusterText,
  inCluster,
  type NotificationFormatter,
  onCluster,
  stepContext,
  when,
} from "./formatter.ts";

type Unknown = NotificationEnvelope & { type: string } & Record<string, unknown>;

const envelopeKeys = new Set(["type", "threadKey", "dedupeKey", "at", "cluster"]);

function facts(n: Unknown): string {
  return Object.entries(n)
    .filter(([key, value]) => !envelopeKeys.has(key) && value !== undefined)
    .slice(0, 12)
    .map(
      ([key, value]) =>
        `*${escapeText(key)}*: ${escapeText(typeof value === "string" ? value : JSON.stringify(value))}`,
    )
    .join("\n");
}

export const genericFormatter: NotificationFormatter<Unknown> = {
  feature: "generic",
  thread: (n) => inCluster(n, n.threadKey),
  namespaces: (n) => (typeof n.namespace === "string" ? [n.namespace] : []),
  parent: (n) => ({
    text: `${n.type}${clusterText(n)} (${n.threadKey})`,
    blocks: [
      section(`*${escapeText(n.type)}*${clusterMark(n)} · ${code(n.threadKey)}`),
      context(`updated ${when(n.at)}`),
    ],
  }),
  step: (n) => ({
    text: `${n.type}${onCluster(n)}`,
    blocks: [section(`*${escapeText(n.type)}*\n${facts(n)}`.trim()), stepContext(n)],
  }),
};
