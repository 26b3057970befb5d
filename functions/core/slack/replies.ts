// What a person sees: ephemeral answers, the confirm prompt, results and audit lines.
import { type Command, helpLines } from "./commands.ts";
import { type Block, code, context, escapeText, type SlackMessage, section } from "./messages.ts";
import type { CommandResult, ResponseUrlMessage } from "./ports.ts";
import { cancelActionId, confirmActionId } from "./requests.ts";

export interface EphemeralReply extends SlackMessage {
  response_type: "ephemeral";
  replace_original?: boolean;
}

export const ephemeral = (text: string, blocks?: Block[]): EphemeralReply => ({
  response_type: "ephemeral",
  text,
  ...(blocks ? { blocks } : {}),
});

export const working = (text: string) =>
  ephemeral(`Working… ${text}`, [section(`:hourglass_flowing_sand: Working… ${code(text)}`)]);

export const refused = (message: string) =>
  ephemeral(`Rejected: ${message}`, [section(`:no_entry: ${escapeText(message)}`)]);

export function help(slashCommand: string): EphemeralReply {
  const lines = helpLines(slashCommand);
  return ephemeral(`Harbormaster commands:\n${lines.join("\n")}`, [
    section("*Harbormaster commands*"),
    section(lines.map((line) => `• ${code(line)}`).join("\n")),
    context(
      "Add `--cluster <name>` (or `on <name>`) to address another cluster than the channel's. Without either, a command goes to the channel's cluster, and asks which one when several could be meant.",
    ),
  ]);
}

/** The answer when a command names no cluster and several could be meant: never a guess, a question. */
export function whichCluster(slashCommand: string, text: string, clusters: readonly string[]): EphemeralReply {
  const typed = text.trim().replace(/\s+/g, " ");
  const examples = clusters.slice(0, 20).map((cluster) => `${slashCommand} ${typed} --cluster ${cluster}`);
  return ephemeral(`Which cluster? ${typed} could run on ${clusters.join(", ")}. Add --cluster <name>.`, [
    section(`:question: Which cluster? ${code(typed)} could run on ${clusters.length} clusters:`),
    section(examples.map((example) => `• ${code(example)}`).join("\n")),
    context("Add `--cluster <name>`; nothing was run."),
  ]);
}

/**
 * A button whose Slack-native confirm dialog must be accepted before anything runs. The button's value is
 * the command text; it comes back signed by Slack, and is parsed and authorised again for whoever clicks.
 */
export function confirmPrompt(text: string, command: Command, where: string): EphemeralReply {
  // "start upgrade x (…)" rather than "upgrade upgrade x (…)".
  const verb = `${command.name === "upgrade" ? command.action : command.name} ${where}`;
  return ephemeral(`Confirm: ${text}`, [
    section(`:warning: ${code(text)} changes ${escapeText(where)}. Run it?`),
    {
      type: "actions",
      elements: [
        {
          type: "button",
          style: "danger",
          text: { type: "plain_text", text: "Run" },
          action_id: confirmActionId,
          value: JSON.stringify({ text }),
          confirm: {
            title: { type: "plain_text", text: "Are you sure?" },
            text: { type: "mrkdwn", text: `This will ${escapeText(verb)}: ${code(text)}` },
            confirm: { type: "plain_text", text: "Yes, run it" },
            deny: { type: "plain_text", text: "No" },
            style: "danger",
          },
        },
        { type: "button", text: { type: "plain_text", text: "Cancel" }, action_id: cancelActionId, value: "cancel" },
      ],
    },
  ]);
}

export function resultMessage(text: string, result: CommandResult): ResponseUrlMessage {
  const details = result.lines?.length ? [section(result.lines.slice(0, 40).map(escapeText).join("\n"))] : [];
  return {
    response_type: "ephemeral",
    replace_original: true,
    text: `${text}: ${result.summary}`,
    blocks: [section(`:white_check_mark: ${code(text)} — ${escapeText(result.summary)}`), ...details],
  };
}

export function failureMessage(text: string, reason: string): ResponseUrlMessage {
  return {
    response_type: "ephemeral",
    replace_original: true,
    text: `${text} failed: ${reason}`,
    blocks: [section(`:x: ${code(text)} failed: ${escapeText(reason)}`)],
  };
}

export function auditMessage(user: string, text: string, cluster: string | undefined, outcome: string): SlackMessage {
  const where = cluster ? ` on *${escapeText(cluster)}*` : "";
  return {
    text: `Audit: ${user} ran ${text}: ${outcome}`,
    blocks: [section(`:memo: <@${user}> ran ${code(text)}${where}`), context(escapeText(outcome))],
  };
}
