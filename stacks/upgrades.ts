// The blue-green cluster upgrades of a config (docs/config.md, `upgrades`), as the stacks need them: which
// clusters and alarms each one names, so the traffic function gets Kubernetes access, IAM and the alarm rule
// for them. Plain values, no SST globals. The engine's own loader checks the rest of each upgrade (plan,
// margin, timings); here only what ties an upgrade to the other sections is checked, naming the field.
import { ConfigError } from "./config-error.ts";

export interface UpgradeSideRef {
  cluster: string;
  setIdentifier: string;
  alarms: string[];
}

export interface UpgradeRef {
  name: string;
  domain: string;
  blue: UpgradeSideRef;
  green: UpgradeSideRef;
}

interface DomainRef {
  name?: unknown;
  setIdentifiers?: unknown;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);

/** Each upgrade's name, domain and sides, checked against the configured clusters and rollout domains. */
export function upgradeRefs(
  upgrades: readonly unknown[],
  clusterNames: readonly string[],
  rollouts: readonly unknown[],
): UpgradeRef[] {
  const domains = new Map(
    rollouts.flatMap((r) => {
      const d = record(r) as DomainRef | undefined;
      return typeof d?.name === "string" ? [[d.name, d] as const] : [];
    }),
  );
  const seen = new Set<string>();
  return upgrades.map((raw, i) => {
    const at = (field: string) => `upgrades[${i}]${field}`;
    const upgrade = record(raw);
    if (!upgrade) throw new ConfigError(`${at("")}: an object`);
    const name = text(upgrade.name);
    if (!name) throw new ConfigError(`${at(".name")}: required`);
    if (seen.has(name)) throw new ConfigError(`${at(".name")}: a second upgrade named ${JSON.stringify(name)}`);
    seen.add(name);
    const domainName = text(upgrade.domain);
    const domain = domainName ? domains.get(domainName) : undefined;
    if (!domainName || !domain)
      throw new ConfigError(
        `${at(".domain")}: no rollout named ${JSON.stringify(upgrade.domain)} in rollouts (an upgrade shifts a rollout domain's weights)`,
      );
    const sets = Array.isArray(domain.setIdentifiers) ? (domain.setIdentifiers as unknown[]) : [];
    const side = (key: "blue" | "green"): UpgradeSideRef => {
      const value = record(upgrade[key]);
      const cluster = text(value?.cluster);
      if (!cluster || !clusterNames.includes(cluster))
        throw new ConfigError(
          `${at(`.${key}.cluster`)}: no cluster named ${JSON.stringify(value?.cluster)} in clusters`,
        );
      const setIdentifier = text(value?.setIdentifier) ?? cluster;
      if (!sets.includes(setIdentifier))
        throw new ConfigError(
          `${at(`.${key}`)}: rollout ${domainName} has no weighted set ${JSON.stringify(setIdentifier)} (its sets: ${sets.join(", ")}); set setIdentifier`,
        );
      const alarms = Array.isArray(value?.alarms) ? value.alarms.filter((a): a is string => typeof a === "string") : [];
      return { cluster, setIdentifier, alarms };
    };
    const blue = side("blue");
    const green = side("green");
    if (blue.cluster === green.cluster)
      throw new ConfigError(`${at(".green.cluster")}: the same cluster as blue; an upgrade moves traffic to another`);
    if (blue.setIdentifier === green.setIdentifier)
      throw new ConfigError(`${at(".green.setIdentifier")}: the same weighted set as blue`);
    return { name, domain: domainName, blue, green };
  });
}

/** The clusters the upgrades name, in config order of first mention: the traffic function reaches these. */
export function upgradeClusters(refs: readonly UpgradeRef[]): string[] {
  return [...new Set(refs.flatMap((u) => [u.blue.cluster, u.green.cluster]))];
}

/** Every alarm of either side of any upgrade: an ALARM from one rolls its upgrade back at once. */
export function upgradeAlarms(refs: readonly UpgradeRef[]): string[] {
  return [...new Set(refs.flatMap((u) => [...u.blue.alarms, ...u.green.alarms]))];
}
