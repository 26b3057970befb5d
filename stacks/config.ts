// Reads the deployment's config at deploy time: HARBORMASTER_CONFIG (inline JSON) or the file named by
// HARBORMASTER_CONFIG_FILE (default harbormaster.config.json). Without either, the per-feature environment
// variables of earlier releases are assembled into the same shape, so existing deploys keep working.
import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "./config-error.ts";
import { type HarbormasterConfig, validateConfig } from "./config-schema.ts";

export function loadDeployConfig(env: NodeJS.ProcessEnv, stage: string): HarbormasterConfig {
  const file = env.HARBORMASTER_CONFIG_FILE ?? "harbormaster.config.json";
  if (env.HARBORMASTER_CONFIG) return validateConfig(parseJson("HARBORMASTER_CONFIG", env.HARBORMASTER_CONFIG));
  if (existsSync(file)) return validateConfig(parseJson(file, readFileSync(file, "utf8")));
  return validateConfig(legacyConfig(env, stage));
}

function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The variables sst.config.ts read before the typed config existed (docs/config.md, "Migrating"). */
export function legacyConfig(env: NodeJS.ProcessEnv, stage: string): unknown {
  const json = (name: string, fallback: unknown) => (env[name] ? parseJson(name, env[name]) : fallback);
  const eksCluster = env.HARBORMASTER_CLUSTER_NAME ?? `harbormaster-${stage}`;
  const slackClusters = json("HARBORMASTER_SLACK_CLUSTERS", {}) as Record<string, { channels?: string[] }>;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  return {
    clusters: { [eksCluster]: { eksCluster, region, channels: Object.values(slackClusters)[0]?.channels ?? [] } },
    actions: json("HARBORMASTER_ACTIONS", {}),
    drainPolicy: json("HARBORMASTER_DRAIN_POLICY", {}),
    dryRun: env.HARBORMASTER_DRY_RUN === "true",
    scaling: json("HARBORMASTER_PRESCALING_POLICIES", []),
    scalingCommandNamespaces: env.HARBORMASTER_PRESCALING_COMMAND_NAMESPACES?.split(",").map((n) => n.trim()),
    rollouts: json("HARBORMASTER_TRAFFIC_DOMAINS", []),
    slack: env.HARBORMASTER_SLACK_DEFAULT_CHANNEL
      ? {
          defaultChannel: env.HARBORMASTER_SLACK_DEFAULT_CHANNEL,
          slashCommand: env.HARBORMASTER_SLACK_COMMAND ?? "/harbormaster",
          access: json("HARBORMASTER_SLACK_ACCESS", []),
          routes: json("HARBORMASTER_SLACK_ROUTES", []),
        }
      : undefined,
  };
}
