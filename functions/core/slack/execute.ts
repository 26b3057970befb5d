// The worker's half of a command: run it against its target, answer the requester, audit what changed.
import { changes, type ParsedCommand, parseCommand } from "./commands.ts";
import type { CommandResult, CommandTargets, SlackPort } from "./ports.ts";
import { CommandRefused } from "./ports.ts";
import { auditMessage, failureMessage, resultMessage } from "./replies.ts";

export interface CommandJobDeps {
  slashCommand: string;
  targets: CommandTargets;
  slack: SlackPort;
  log: { error(message: string, fields: Record<string, unknown>): void };
}

export interface CommandJob {
  text: string;
  user: string;
  channel: string;
  responseUrl: string;
  /** The cluster the acknowledging function chose; the canonical text names it too. */
  cluster?: string;
}

export async function runCommand(deps: CommandJobDeps, job: CommandJob): Promise<void> {
  const parsed = parseCommand(job.text, deps.slashCommand);
  if (!parsed.ok) {
    await deps.slack.respond(job.responseUrl, failureMessage(job.text, parsed.message));
    return;
  }
  const cluster = parsed.value.cluster ?? job.cluster;
  let outcome: string;
  try {
    const result = await execute(deps.targets, { ...parsed.value, cluster }, `slack:${job.user}`);
    outcome = result.summary;
    await deps.slack.respond(job.responseUrl, resultMessage(job.text, result));
  } catch (error) {
    const reason = error instanceof CommandRefused ? error.message : "internal error (see the worker's log)";
    if (!(error instanceof CommandRefused)) deps.log.error("command failed", { text: job.text, error });
    outcome = `failed: ${reason}`;
    await deps.slack.respond(job.responseUrl, failureMessage(job.text, reason));
  }
  if (changes(parsed.value.command))
    await deps.slack.post(job.channel, auditMessage(job.user, job.text, cluster, outcome));
}

export async function execute(targets: CommandTargets, parsed: ParsedCommand, actor: string): Promise<CommandResult> {
  const { command } = parsed;
  const cluster = parsed.cluster ?? "";
  switch (command.name) {
    case "help":
      return { summary: "see help" };
    case "status":
      return (await targets.cluster(cluster)).status();
    case "nodes":
      return (await targets.cluster(cluster)).nodes();
    case "cordon":
      return (await targets.cluster(cluster)).cordon(command.node, actor);
    case "uncordon":
      return (await targets.cluster(cluster)).uncordon(command.node, actor);
    case "drain":
      return (await targets.cluster(cluster)).drain(command.node, actor);
    case "scale":
      return (await targets.scaling(cluster)).scale(
        command.namespace,
        command.hpa,
        command.min,
        command.forSeconds,
        actor,
      );
    case "headroom":
      return (await targets.scaling(cluster)).headroom(command.pods, command.forSeconds, actor);
    case "shift":
      return (await targets.traffic()).shift(command.domain, command.percent, command.target, actor);
    case "pause":
      return (await targets.traffic()).pause(command.domain, actor);
    case "resume":
      return (await targets.traffic()).resume(command.domain, actor);
    case "rollback":
      return (await targets.traffic()).rollback(command.domain, actor);
    case "upgrade":
      return (await targets.upgrades()).request(command.upgrade, command.action, actor);
  }
}
