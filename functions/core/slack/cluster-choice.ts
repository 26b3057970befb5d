// Which cluster a command addresses when it does not say: the channel's, the only one it could mean, or a question.
import { type AccessRule, authorize } from "./access.ts";
import { type Command, targetsDomain } from "./commands.ts";
import { type EphemeralReply, refused, whichCluster } from "./replies.ts";

export interface ClusterDirectory {
  names: readonly string[];
  /** A channel's cluster when a command names none. */
  channelDefaults: Readonly<Record<string, string>>;
}

export interface ChoiceContext {
  directory: ClusterDirectory;
  access: readonly AccessRule[];
  slashCommand: string;
}

export interface ChoiceRequest {
  /** What `--cluster` or `on` named, if anything. */
  named?: string;
  user: string;
  channel: string;
  /** The command as typed, for the question's examples. */
  text: string;
  command: Command;
}

export type ClusterChoice = { ok: true; name: string } | { ok: false; reply: EphemeralReply };

/**
 * The cluster named, else the channel's, else the only configured one, else the only one this user may run
 * the command on from this channel. Several candidates are never guessed between: the reply asks which.
 * Domain commands act on Route53 records, whichever cluster: they never ask.
 */
export function chooseCluster(context: ChoiceContext, request: ChoiceRequest): ClusterChoice {
  const { names, channelDefaults } = context.directory;
  const { named, user, channel, command } = request;
  if (targetsDomain(command)) return { ok: true, name: named ?? channelDefaults[channel] ?? "" };
  const chosen = named ?? channelDefaults[channel] ?? (names.length === 1 ? names[0] : undefined);
  if (chosen !== undefined) {
    if (names.includes(chosen)) return { ok: true, name: chosen };
    return { ok: false, reply: refused(`unknown cluster "${chosen}": one of ${names.join(", ")}`) };
  }
  const candidates = names.filter((cluster) => authorize(context.access, { user, channel, command, cluster }));
  const [only] = candidates;
  if (only !== undefined && candidates.length === 1) return { ok: true, name: only };
  if (candidates.length === 0)
    return { ok: false, reply: refused(`<@${user}> may not run \`${command.name}\` on any cluster from this channel`) };
  return { ok: false, reply: whichCluster(context.slashCommand, request.text, candidates) };
}
