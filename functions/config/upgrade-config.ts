// HARBORMASTER_UPGRADES: the blue-green cluster upgrades the traffic function drives. Optional: without it
// the traffic function is what it was. Checked against the traffic domains and HARBORMASTER_CLUSTERS.
import { ConfigurationError } from "../core/errors.ts";
import type { TrafficDomain } from "../core/traffic/domain.ts";
import { planSchema } from "../core/traffic/plan.ts";
import type { UpgradeDefinition } from "../core/upgrade/definition.ts";
import * as z from "../core/zod.ts";
import { ClusterConfigError, type ClusterTarget, parseClusters } from "./clusters.ts";

export interface UpgradeConfig {
  upgrades: UpgradeDefinition[];
  /** The clusters the upgrades name, from HARBORMASTER_CLUSTERS (the same parser as the other functions). */
  clusters: ClusterTarget[];
  /** How often a capacity wait or a rollback's settling looks again. */
  pollSeconds: number;
}

const alarmName = z.string().check(z.minLength(1), z.maxLength(255));
const side = z.strictObject({
  cluster: z.string().check(z.minLength(1)),
  setIdentifier: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  alarms: z._default(z.array(alarmName).check(z.maxLength(10)), []),
});

const upgradeSchema = z.strictObject({
  // With the run id and revision it names schedules (64 characters at most) and the Slack commands.
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,23}$/, "lower-case letters, digits and '-', at most 24")),
  domain: z.string().check(z.minLength(1)),
  blue: side,
  green: side,
  namespaces: z
    .array(z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a namespace name")))
    .check(z.minLength(1, "name the namespaces whose Deployments and HPAs move"), z.maxLength(20)),
  margin: z._default(z.number().check(z.minimum(1), z.maximum(5)), 1.2),
  plan: planSchema,
  bakeSeconds: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(86_400)), 300),
  capacityTimeoutSeconds: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(86_400)), 600),
  scaleDownBlue: z._default(z.boolean(), false),
  mirrorCapacity: z._default(z.boolean(), true),
  applications: z._default(z.array(z.string().check(z.minLength(1))), []),
});

const json = z.pipe(
  z.string(),
  z.transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.issues.push({ code: "custom", message: "is not valid JSON", input: text });
      return z.NEVER;
    }
  }),
);

const envSchema = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  HARBORMASTER_UPGRADES: z.optional(z.pipe(json, z.array(upgradeSchema))),
  HARBORMASTER_CLUSTERS: z.optional(z.string().check(z.minLength(1))),
  HARBORMASTER_CLUSTER_NAME: z.optional(z.string().check(z.minLength(1))),
  KUBECONFIG: z.optional(z.string().check(z.minLength(1))),
  HARBORMASTER_UPGRADE_POLL_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(300)), 10),
});

/** Undefined when no upgrade is configured; a bad setting names itself (`HARBORMASTER_UPGRADES[0].green.cluster`). */
export function loadUpgradeConfig(
  env: NodeJS.ProcessEnv,
  domains: readonly TrafficDomain[],
): UpgradeConfig | undefined {
  try {
    const e = envSchema.parse(env);
    const entries = e.HARBORMASTER_UPGRADES;
    if (!entries || entries.length === 0) return undefined;
    const clusters = parseClusters(e, { region: e.AWS_REGION, actions: {}, drainPolicy: {} });
    const upgrades = entries.map((entry, i) => checked(entry, i, domains, clusters));
    const seen = new Set<string>();
    upgrades.forEach((up, i) => {
      if (seen.has(up.name))
        throw new ClusterConfigError(`HARBORMASTER_UPGRADES[${i}].name: duplicate upgrade "${up.name}"`);
      seen.add(up.name);
    });
    const named = new Set(upgrades.flatMap((up) => [up.blue.cluster, up.green.cluster]));
    return {
      upgrades,
      clusters: clusters.filter((c) => named.has(c.name)),
      pollSeconds: e.HARBORMASTER_UPGRADE_POLL_SECONDS,
    };
  } catch (error) {
    if (error instanceof z.ZodError)
      throw new ConfigurationError(`invalid configuration: ${z.prettifyError(error)}`, { cause: error });
    if (error instanceof ClusterConfigError)
      throw new ConfigurationError(`invalid configuration: ${error.message}`, { cause: error });
    throw error;
  }
}

type Entry = z.infer<typeof upgradeSchema>;

function checked(
  entry: Entry,
  i: number,
  domains: readonly TrafficDomain[],
  clusters: readonly ClusterTarget[],
): UpgradeDefinition {
  const at = (field: string, message: string) =>
    new ClusterConfigError(`HARBORMASTER_UPGRADES[${i}].${field}: ${message}`);
  const domain = domains.find((d) => d.name === entry.domain);
  if (!domain)
    throw at("domain", `unknown traffic domain "${entry.domain}": one of ${domains.map((d) => d.name).join(", ")}`);
  const names = clusters.map((c) => c.name);
  const sides = (["blue", "green"] as const).map((which) => {
    const s = entry[which];
    if (!names.includes(s.cluster))
      throw at(`${which}.cluster`, `unknown cluster "${s.cluster}": one of ${names.join(", ")}`);
    const setIdentifier = s.setIdentifier ?? s.cluster;
    if (!domain.setIdentifiers.includes(setIdentifier))
      throw at(
        `${which}.setIdentifier`,
        `"${setIdentifier}" is not a set of domain ${domain.name}: one of ${domain.setIdentifiers.join(", ")}`,
      );
    return { cluster: s.cluster, setIdentifier, alarms: s.alarms };
  });
  const [blue, green] = sides as [UpgradeDefinition["blue"], UpgradeDefinition["green"]];
  if (blue.cluster === green.cluster) throw at("green.cluster", "blue and green must be two clusters");
  if (blue.setIdentifier === green.setIdentifier)
    throw at("green.setIdentifier", "blue and green must be two record sets");
  return { ...entry, blue, green };
}
