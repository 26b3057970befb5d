// Any notification type without a formatter of its own: its fields, as they are.
import type { NotificationEnvelope } from "../../notifications.ts";
import { code, context, escapeText, section } from "../messages.ts";
import { type NotificationFormatter, when } from "./formatter.ts";

type Unknown = NotificationEnvelope & { type: string } & Record<string, unknown>;

const envelopeKeys = new Set(["type", "threadKey", "dedupeKey", "at"]);

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
  thread: (n) => n.threadKey,
  namespaces: (n) => (typeof n.namespace === "string" ? [n.namespace] : []),
  parent: (n) => ({
    text: `${n.type} (${n.threadKey})`,
    blocks: [section(`*${escapeText(n.type)}* · ${code(n.threadKey)}`), context(`updated ${when(n.at)}`)],
  }),
  step: (n) => ({
    text: n.type,
    blocks: [section(`*${escapeText(n.type)}*\n${facts(n)}`.trim()), context(when(n.at))],
  }),
};
