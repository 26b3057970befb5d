// `upgrade <action> <name>`: a blue-green cluster upgrade addressed by its configured name. An upgrade names
// its own two clusters and its domain, so a `--cluster` or `on <cluster>` with it is refused, not ignored.
import { type UpgradeAction, upgradeActions } from "../upgrade/commands.ts";

/** What the acknowledging function knows of each configured upgrade: enough to name and authorise it. */
export interface UpgradeTarget {
  /** The traffic domain whose weights it moves (a rollout's `name`). */
  domain: string;
  blue: string;
  green: string;
}
export type UpgradeDirectory = Readonly<Record<string, UpgradeTarget>>;

/** Upgrade names are short slugs (they name schedules and threads); matched case-insensitively. */
const upgradeName = /^[a-z0-9][a-z0-9-]{0,62}$/i;

export type UpgradeWords = { ok: true; action: UpgradeAction; upgrade: string } | { ok: false; why: string };

export function parseUpgradeWords(args: readonly string[], cluster: string | undefined): UpgradeWords {
  if (cluster !== undefined)
    return { ok: false, why: "an upgrade names its own blue and green clusters; drop the cluster" };
  const [rawAction, name, ...rest] = args;
  const action = rawAction?.toLowerCase() as UpgradeAction | undefined;
  if (!action || !upgradeActions.includes(action))
    return { ok: false, why: `say what to do: ${upgradeActions.join(", ")}` };
  if (!name || rest.length > 0) return { ok: false, why: "name one upgrade" };
  if (!upgradeName.test(name)) return { ok: false, why: `"${name}" is not an upgrade name` };
  return { ok: true, action, upgrade: name.toLowerCase() };
}

/** The reply for a name that is not configured: the names that are, so the next try is right. */
export function unknownUpgrade(name: string, directory: UpgradeDirectory): string {
  const known = Object.keys(directory).sort();
  return known.length === 0
    ? `unknown upgrade "${name}": no upgrades are configured in this deployment`
    : `unknown upgrade "${name}": one of ${known.join(", ")}`;
}
