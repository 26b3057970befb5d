// Slack's HTTP payloads, parsed at the edge: slash commands and interactive (button) actions.
import * as z from "../zod.ts";

const slashCommandSchema = z.object({
  command: z.string().check(z.startsWith("/")),
  text: z._default(z.string(), ""),
  user_id: z.string().check(z.minLength(1)),
  user_name: z.optional(z.string()),
  channel_id: z.string().check(z.minLength(1)),
  team_id: z.string().check(z.minLength(1)),
  response_url: z.url(),
  trigger_id: z.optional(z.string()),
});

/** The value a confirm button carries: what to run once the user confirms. Slack signs it back to us. */
export const confirmValueSchema = z.object({ text: z.string().check(z.maxLength(500)) });

const blockActionsSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().check(z.minLength(1)) }),
  team: z.optional(z.object({ id: z.string().check(z.minLength(1)) })),
  channel: z.object({ id: z.string().check(z.minLength(1)) }),
  response_url: z.url(),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.optional(z.string()) }))
    .check(z.minLength(1), z.maxLength(1)),
});

export type SlackRequest =
  | {
      type: "command";
      slashCommand: string;
      text: string;
      user: string;
      channel: string;
      team: string;
      responseUrl: string;
    }
  | {
      type: "action";
      action: "confirm" | "cancel";
      text: string;
      user: string;
      channel: string;
      responseUrl: string;
    };

export type RequestParse = { ok: true; value: SlackRequest } | { ok: false; message: string };

export const confirmActionId = "harbormaster_confirm";
export const cancelActionId = "harbormaster_cancel";

/** A form-encoded body: a slash command, or `payload=<json>` for an interaction. */
export function parseSlackRequest(rawBody: string): RequestParse {
  const form = Object.fromEntries(new URLSearchParams(rawBody));
  if (form.payload !== undefined) return parseInteraction(form.payload);
  const parsed = slashCommandSchema.safeParse(form);
  if (!parsed.success) return { ok: false, message: "not a slash command request" };
  const c = parsed.data;
  return {
    ok: true,
    value: {
      type: "command",
      slashCommand: c.command,
      text: c.text,
      user: c.user_id,
      channel: c.channel_id,
      team: c.team_id,
      responseUrl: c.response_url,
    },
  };
}

function parseInteraction(payload: string): RequestParse {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { ok: false, message: "interaction payload is not JSON" };
  }
  const parsed = blockActionsSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: "unsupported interaction" };
  const { actions, user, channel, response_url } = parsed.data;
  const [action] = actions;
  if (action?.action_id !== confirmActionId && action?.action_id !== cancelActionId)
    return { ok: false, message: "unknown action" };
  let text = "";
  if (action.action_id === confirmActionId) {
    const value = safeJson(action.value);
    const confirmed = confirmValueSchema.safeParse(value);
    if (!confirmed.success) return { ok: false, message: "malformed confirmation" };
    text = confirmed.data.text;
  }
  return {
    ok: true,
    value: {
      type: "action",
      action: action.action_id === confirmActionId ? "confirm" : "cancel",
      text,
      user: user.id,
      channel: channel.id,
      responseUrl: response_url,
    },
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
