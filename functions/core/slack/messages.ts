// Block Kit values, kept loose: Slack validates them, and tests assert what was sent.
export type Block = Record<string, unknown>;

export interface SlackMessage {
  /** The notification text and the fallback for clients that do not render blocks. */
  text: string;
  blocks?: Block[];
}

export const section = (markdown: string): Block => ({ type: "section", text: { type: "mrkdwn", text: markdown } });
export const context = (...markdown: string[]): Block => ({
  type: "context",
  elements: markdown.map((text) => ({ type: "mrkdwn", text })),
});
export const header = (plain: string): Block => ({
  type: "header",
  text: { type: "plain_text", text: plain.slice(0, 150) },
});
export const fields = (pairs: [string, string][]): Block => ({
  type: "section",
  fields: pairs.slice(0, 10).map(([name, value]) => ({ type: "mrkdwn", text: `*${name}*\n${value}` })),
});

/** Slack renders &, < and > as markup; user-controlled text is escaped before it goes into escapeText. */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export const code = (text: string) => `\`${escapeText(text).replace(/`/g, "'")}\``;
