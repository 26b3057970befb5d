// The slash command's grammar: text → a typed command, or a message saying what was wrong.
import type { UpgradeAction } from "../upgrade/commands.ts";
import { splitCluster } from "./cluster-words.ts";
import { parseUpgradeWords } from "./upgrade-words.ts";

export type Command =
  | { name: "help" }
  | { name: "status" }
  | { name: "nodes" }
  | { name: "cordon" | "uncordon" | "drain"; node: string }
  | { name: "scale"; namespace: string; hpa: string; min: number; forSeconds?: number }
  | { name: "headroom"; pods: number; forSeconds?: number }
  | { name: "shift"; domain: string; percent: number; target?: string }
  | { name: "pause" | "resume" | "rollback"; domain: string }
  | { name: "upgrade"; action: UpgradeAction; upgrade: string };

export type CommandName = Command["name"];

/** A command with the cluster it addresses (`--cluster <name>` or `on <name>`), when it named one. */
export interface ParsedCommand {
  command: Command;
  cluster?: string;
}

export type ParseResult = { ok: true; value: ParsedCommand } | { ok: false; message: string };

export const commandNames: readonly CommandName[] = [
  "help",
  "status",
  "nodes",
  "cordon",
  "uncordon",
  "drain",
  "scale",
  "headroom",
  "shift",
  "pause",
  "resume",
  "rollback",
  "upgrade",
];

/** Commands that change something: each is audited in the channel. An upgrade's status only reads. */
export function changes(command: Command): boolean {
  if (command.name === "upgrade") return command.action !== "status";
  return !["help", "status", "nodes"].includes(command.name);
}

/**
 * Commands that take away capacity or move traffic ask for confirmation first. Of an upgrade's: start,
 * promote, resume and rollback move weights; pause stops them moving and status only reads.
 */
export function needsConfirmation(command: Command): boolean {
  if (command.name === "upgrade") return ["start", "promote", "resume", "rollback"].includes(command.action);
  return ["cordon", "drain", "scale", "headroom", "shift", "rollback", "resume"].includes(command.name);
}

/** Commands that act on a Route53 domain rather than on a cluster. */
export function targetsDomain(command: Command): command is Extract<Command, { domain: string }> {
  return "domain" in command;
}

/** Commands that act on a configured upgrade: its own domain and two clusters, never a chosen cluster. */
export function targetsUpgrade(command: Command): command is Extract<Command, { name: "upgrade" }> {
  return command.name === "upgrade";
}

const usage: Record<CommandName, string> = {
  help: "help",
  status: "status",
  nodes: "nodes",
  cordon: "cordon <node>",
  uncordon: "uncordon <node>",
  drain: "drain <node>",
  scale: "scale <namespace>/<hpa> <min> [for <duration>]",
  headroom: "headroom <pods> [for <duration>]",
  shift: "shift <domain> <percent> [to <set>]",
  pause: "pause <domain>",
  resume: "resume <domain>",
  rollback: "rollback <domain>",
  upgrade: "upgrade start|status|promote|pause|resume|rollback <upgrade>",
};

export function usageOf(name: CommandName, slashCommand: string): string {
  // Domain commands act on a domain's records, whichever cluster is named: offering a flag would mislead.
  const cluster = ["help", "shift", "pause", "resume", "rollback", "upgrade"].includes(name)
    ? ""
    : " [--cluster <name>]";
  return `${slashCommand} ${usage[name]}${cluster}`;
}

export function helpLines(slashCommand: string): string[] {
  return commandNames.map((name) => usageOf(name, slashCommand));
}

const dnsLabel = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const k8sName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const domainName = /^(?=.{1,253}\.?$)([a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i;
/** A traffic domain's short name from its config (`ads`), or its record name (`ads.example.com`). */
const domainSlug = /^[a-z0-9][a-z0-9-]{0,23}$/i;
const isDomain = (text: string | undefined): text is string =>
  !!text && (domainSlug.test(text) || domainName.test(text));
/** A Route53 SetIdentifier: the cluster or ALB a weighted record set stands for. */
const setIdentifier = /^[A-Za-z0-9][-A-Za-z0-9_.:]{0,127}$/;
/** Parses "drain ip-10-0-1-2.ec2.internal --cluster prod-eu" and the like. */
export function parseCommand(text: string, slashCommand: string): ParseResult {
  const split = splitCluster(text);
  if (!split.ok) return split;
  const { words, cluster } = split;
  const [head = "help", ...args] = words;
  const name = head.toLowerCase() as CommandName;
  if (!commandNames.includes(name))
    return { ok: false, message: `unknown command "${head}". Try \`${slashCommand} help\`.` };
  const bad = (why: string): ParseResult => ({
    ok: false,
    message: `${why}. Usage: \`${usageOf(name, slashCommand)}\``,
  });
  const done = (command: Command): ParseResult => ({ ok: true, value: { command, cluster } });

  switch (name) {
    case "help":
    case "status":
    case "nodes":
      return args.length === 0 ? done({ name }) : bad(`${name} takes no arguments`);
    case "cordon":
    case "uncordon":
    case "drain": {
      const [node, ...rest] = args;
      if (!node || rest.length > 0) return bad("name one node");
      if (!dnsLabel.test(node)) return bad(`"${node}" is not a node name`);
      return done({ name, node });
    }
    case "scale":
      return parseScale(args, done, bad);
    case "headroom": {
      const [raw, ...rest] = args;
      const pods = wholeNumber(raw);
      if (pods === undefined || pods > 1000) return bad("give a number of pods from 0 to 1000");
      const duration = forClause(rest);
      if (!duration.ok) return bad(duration.why);
      return done({ name, pods, ...(duration.seconds ? { forSeconds: duration.seconds } : {}) });
    }
    case "shift":
      return parseShift(args, done, bad);
    case "pause":
    case "resume":
    case "rollback": {
      const [domain] = args;
      if (args.length !== 1 || !isDomain(domain)) return bad("name one domain");
      return done({ name, domain: domain.toLowerCase() });
    }
    case "upgrade": {
      const words = parseUpgradeWords(args, cluster);
      return words.ok ? done({ name, action: words.action, upgrade: words.upgrade }) : bad(words.why);
    }
  }
}

function parseScale(
  args: string[],
  done: (command: Command) => ParseResult,
  bad: (why: string) => ParseResult,
): ParseResult {
  const [target, rawMin, ...rest] = args;
  const [namespace, hpa, extra] = (target ?? "").split("/");
  if (!namespace || !hpa || extra !== undefined || !k8sName.test(namespace) || !k8sName.test(hpa))
    return bad("name the HPA as <namespace>/<name>");
  const min = wholeNumber(rawMin);
  if (min === undefined || min < 1 || min > 10_000) return bad("give a minimum from 1 to 10000 replicas");
  const duration = forClause(rest);
  if (!duration.ok) return bad(duration.why);
  return done({ name: "scale", namespace, hpa, min, ...(duration.seconds ? { forSeconds: duration.seconds } : {}) });
}

function parseShift(
  args: string[],
  done: (command: Command) => ParseResult,
  bad: (why: string) => ParseResult,
): ParseResult {
  const [domain, raw, toWord, target, ...rest] = args;
  if (!isDomain(domain)) return bad("name a domain");
  if (raw === undefined || !/^\d{1,6}%?$/.test(raw) || Number(raw.replace(/%$/, "")) > 100)
    return bad(`"${raw ?? ""}" is not a percent from 0 to 100`);
  const percent = Number(raw.replace(/%$/, ""));
  const command = { name: "shift" as const, domain: domain.toLowerCase(), percent };
  if (toWord === undefined) return done(command);
  if (toWord.toLowerCase() !== "to" || rest.length > 0) return bad("only `to <set>` may follow the percent");
  if (!target || !setIdentifier.test(target)) return bad(`"${target ?? ""}" is not a record set identifier`);
  return done({ ...command, target });
}

type ForClause = { ok: true; seconds?: number } | { ok: false; why: string };

/** Nothing, or `for <duration>`. */
function forClause(words: string[]): ForClause {
  const [forWord, raw, ...rest] = words;
  if (forWord === undefined) return { ok: true };
  if (forWord.toLowerCase() !== "for" || rest.length > 0) return { ok: false, why: "only `for <duration>` may follow" };
  const seconds = durationSeconds(raw);
  if (seconds === undefined)
    return { ok: false, why: `"${raw ?? ""}" is not a duration from 1m to 7d, like 30m, 2h or 1h30m` };
  return { ok: true, seconds };
}

function wholeNumber(text: string | undefined): number | undefined {
  return text && /^\d{1,6}$/.test(text) ? Number(text) : undefined;
}

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90m", "2h", "1h30m", "1d": at most 7 days, at least a minute. */
export function durationSeconds(text: string | undefined): number | undefined {
  if (!text || !/^(\d+[smhd])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g))
    total += Number(amount) * (unitSeconds[unit ?? "s"] ?? 1);
  return total >= 60 && total <= 7 * 86_400 ? total : undefined;
}
