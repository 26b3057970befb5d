// The acknowledging half of a slash command: verify, parse, authorise, then confirm, answer or enqueue.
import { createHash } from "node:crypto";
import { type AccessRule, authorize } from "./access.ts";
import { type ClusterDirectory, chooseCluster } from "./cluster-choice.ts";
import { canonicalText } from "./cluster-words.ts";
import { type Command, needsConfirmation, parseCommand, targetsDomain, targetsUpgrade } from "./commands.ts";
import type { JobQueue, ReplayGuard } from "./ports.ts";
import { confirmPrompt, type EphemeralReply, help, refused, working } from "./replies.ts";
import { parseSlackRequest, type SlackRequest } from "./requests.ts";
import { replayWindowSeconds, verifySignature } from "./signature.ts";
import { type UpgradeDirectory, unknownUpgrade } from "./upgrade-words.ts";

export interface IntakeDeps {
  signingSecret: string;
  /** The one slash command this app answers, e.g. "/harbormaster". */
  slashCommand: string;
  access: readonly AccessRule[];
  clusters: ClusterDirectory;
  /** The configured upgrades by name: `upgrade` commands may address only these. */
  upgrades: UpgradeDirectory;
  replay: ReplayGuard;
  jobs: JobQueue;
  now: () => number;
}

export type { ClusterDirectory } from "./cluster-choice.ts";

export interface IntakeRequest {
  rawBody: string;
  headers: Readonly<Record<string, string | undefined>>;
}

/**
 * Slack's slash command and button payloads are a few KB. A larger body is refused before the signature is
 * computed: otherwise anyone could make every request cost an HMAC over megabytes.
 */
export const maxBodyBytes = 16 * 1024;

export type IntakeResponse = { status: number; reply: EphemeralReply } | { status: number; error: string };

/** Answers one HTTP request from Slack, fast: anything slow is queued for the worker. */
export async function intake(deps: IntakeDeps, request: IntakeRequest): Promise<IntakeResponse> {
  if (Buffer.byteLength(request.rawBody) > maxBodyBytes)
    return { status: 413, error: `rejected: the body is over ${maxBodyBytes} bytes` };
  const timestamp = request.headers["x-slack-request-timestamp"];
  const signature = request.headers["x-slack-signature"];
  const check = verifySignature(deps.signingSecret, { rawBody: request.rawBody, timestamp, signature }, deps.now());
  if (!check.ok) return { status: 401, error: `rejected: ${check.reason}` };
  // Signed and fresh, but seen before: the same signature cannot come twice from Slack.
  const requestId = sha256(signature ?? "");
  if (!(await deps.replay.firstSeen(requestId, Number(timestamp) + replayWindowSeconds + 60)))
    return { status: 401, error: "rejected: replayed request" };

  const parsed = parseSlackRequest(request.rawBody);
  if (!parsed.ok) return { status: 400, error: `rejected: ${parsed.message}` };
  const slack = parsed.value;
  if (slack.type === "command" && slack.slashCommand !== deps.slashCommand)
    return {
      status: 200,
      reply: refused(`unknown command ${slack.slashCommand}; this app answers ${deps.slashCommand}`),
    };
  if (slack.type === "action" && slack.action === "cancel") {
    await deps.jobs.enqueue(
      { kind: "cancel", user: slack.user, responseUrl: slack.responseUrl },
      { groupId: requestId, dedupeId: requestId },
    );
    return { status: 200, reply: { response_type: "ephemeral", text: "Cancelled." } };
  }
  return { status: 200, reply: await route(deps, slack, requestId) };
}

async function route(deps: IntakeDeps, slack: SlackRequest, requestId: string): Promise<EphemeralReply> {
  const command = parseCommand(slack.text, deps.slashCommand);
  if (!command.ok) return refused(command.message);
  const { command: cmd } = command.value;
  if (cmd.name === "help") return help(deps.slashCommand);
  if (targetsUpgrade(cmd)) return routeUpgrade(deps, slack, requestId, cmd);

  const cluster = chooseCluster(
    { directory: deps.clusters, access: deps.access, slashCommand: deps.slashCommand },
    { named: command.value.cluster, user: slack.user, channel: slack.channel, text: slack.text, command: cmd },
  );
  if (!cluster.ok) return cluster.reply;
  const target = targetsDomain(cmd) ? cmd.domain : cluster.name;
  if (!authorize(deps.access, { user: slack.user, channel: slack.channel, command: cmd, cluster: cluster.name }))
    return refused(`<@${slack.user}> may not run \`${cmd.name}\` on ${target} from this channel`);

  // The canonical text names its cluster, so a confirmation runs where it was asked, whoever's channel it is.
  const text = targetsDomain(cmd) ? slack.text.trim() : canonicalText(slack.text, cluster.name);
  if (slack.type === "command" && needsConfirmation(cmd)) return confirmPrompt(text, cmd, target);
  return enqueue(deps, slack, requestId, text, targetsDomain(cmd) ? undefined : cluster.name);
}

/** An upgrade is known by name: an unknown one is answered with the known ones, before any rule is read. */
async function routeUpgrade(
  deps: IntakeDeps,
  slack: SlackRequest,
  requestId: string,
  cmd: Extract<Command, { name: "upgrade" }>,
): Promise<EphemeralReply> {
  const upgrade = Object.hasOwn(deps.upgrades, cmd.upgrade) ? deps.upgrades[cmd.upgrade] : undefined;
  if (!upgrade) return refused(unknownUpgrade(cmd.upgrade, deps.upgrades));
  const where = `upgrade ${cmd.upgrade} (${upgrade.domain}: ${upgrade.blue} → ${upgrade.green})`;
  const request = { user: slack.user, channel: slack.channel, command: cmd, cluster: "", upgrade };
  if (!authorize(deps.access, request))
    return refused(`<@${slack.user}> may not run \`upgrade ${cmd.action}\` on ${where} from this channel`);
  // One form whatever was typed, so the confirmation and the audit read the same.
  const text = `upgrade ${cmd.action} ${cmd.upgrade}`;
  if (slack.type === "command" && needsConfirmation(cmd)) return confirmPrompt(text, cmd, where);
  return enqueue(deps, slack, requestId, text, undefined);
}

async function enqueue(
  deps: IntakeDeps,
  slack: SlackRequest,
  requestId: string,
  text: string,
  cluster: string | undefined,
): Promise<EphemeralReply> {
  await deps.jobs.enqueue(
    { kind: "command", text, cluster, user: slack.user, channel: slack.channel, responseUrl: slack.responseUrl },
    { groupId: requestId, dedupeId: requestId },
  );
  return working(text);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
