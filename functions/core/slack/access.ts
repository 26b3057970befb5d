// The allow-list: which Slack users, in which channels, may run which commands on which clusters and domains.
import * as z from "../zod.ts";
import { type Command, type CommandName, commandNames, targetsDomain, targetsUpgrade } from "./commands.ts";
import type { UpgradeTarget } from "./upgrade-words.ts";

const anyOr = <T extends z.ZodMiniType>(item: T) => z.union([z.literal("*"), z.array(item).check(z.minLength(1))]);

export const accessRuleSchema = z.strictObject({
  /** Slack user ids (U…/W…), or "*". */
  users: anyOr(z.string().check(z.regex(/^[UW][A-Z0-9]+$/))),
  /** Channel ids (C…/G…/D…), or "*". */
  channels: anyOr(z.string().check(z.regex(/^[CGD][A-Z0-9]+$/))),
  commands: anyOr(z.enum(commandNames as [CommandName, ...CommandName[]])),
  clusters: z._default(anyOr(z.string().check(z.minLength(1))), "*"),
  domains: z._default(anyOr(z.string().check(z.minLength(1))), "*"),
});
export const accessRulesSchema = z.array(accessRuleSchema);
export type AccessRule = z.infer<typeof accessRuleSchema>;

export interface AccessRequest {
  user: string;
  channel: string;
  command: Command;
  cluster: string;
  /** For `upgrade`: the configured upgrade it addresses (unknown to the caller: refused). */
  upgrade?: UpgradeTarget;
}

const allows = <T>(list: "*" | readonly T[], value: T) => list === "*" || list.includes(value);

/** Allowed when one rule covers the user, the channel, the command and its target; nothing is allowed by default. */
export function authorize(rules: readonly AccessRule[], request: AccessRequest): boolean {
  const { command } = request;
  return rules.some(
    (rule) =>
      allows(rule.users, request.user) &&
      allows(rule.channels, request.channel) &&
      (command.name === "help" || allows(rule.commands, command.name)) &&
      coversTarget(rule, request),
  );
}

/**
 * An upgrade moves its domain's weights and raises floors in both its clusters: one rule must cover the
 * domain and both clusters, so a person kept off a cluster or a domain cannot reach it through an upgrade.
 */
function coversTarget(rule: AccessRule, request: AccessRequest): boolean {
  const { command, upgrade } = request;
  if (targetsUpgrade(command))
    return (
      !!upgrade &&
      allows(rule.domains, upgrade.domain) &&
      allows(rule.clusters, upgrade.blue) &&
      allows(rule.clusters, upgrade.green)
    );
  return targetsDomain(command) ? allows(rule.domains, command.domain) : allows(rule.clusters, request.cluster);
}
