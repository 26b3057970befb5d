// The one typed configuration of a Harbormaster deployment. The top level is parsed here; each feature's
// section is then handed, as the environment variable its function reads, to that function's own loader:
// the exact schema the function runs again at cold start. Errors name the field (`slack.routes[0].channel`).

import { loadInterruptionConfig } from "../functions/config/interruption-config.ts";
import { loadPrescalingConfig, namespaceNamePattern } from "../functions/config/prescaling-config.ts";
import { loadSlackCommandConfig, loadSlackWorkerConfig } from "../functions/config/slack-config.ts";
import { loadTrafficConfig } from "../functions/config/traffic-config.ts";
import * as z from "../functions/core/zod.ts";

const name = z.string().check(z.regex(/^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/, "letters, digits, - and _ only"));
const section = z.record(z.string(), z.unknown());

const clusterSchema = z.strictObject({
  /** The EKS cluster's name in AWS. */
  eksCluster: z.string().check(z.minLength(1)),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-east-2")),
  /** Subnets and security group through which the functions reach a private EKS endpoint. */
  vpc: z.optional(
    z.strictObject({
      privateSubnets: z.array(z.string().check(z.regex(/^subnet-[0-9a-f]+$/))).check(z.minLength(1)),
      securityGroups: z.array(z.string().check(z.regex(/^sg-[0-9a-f]+$/))).check(z.minLength(1)),
    }),
  ),
  /** Auto Scaling groups whose lifecycle hooks Harbormaster completes; IAM is scoped to them. */
  autoScalingGroups: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Create the EKS access entries for the functions' roles (stacks/eks-access.ts); false if managed elsewhere. */
  manageAccess: z._default(z.boolean(), true),
  /** Slack channels where commands address this cluster without `on <cluster>`. */
  channels: z._default(z.array(z.string().check(z.regex(/^[CGD][A-Z0-9]+$/))), []),
});

export const configSchema = z.strictObject({
  /** Clusters by Harbormaster name. The first one is the cluster the interruption and pre-scaling functions serve. */
  clusters: z.record(name, clusterSchema).check(z.refine((c) => Object.keys(c).length > 0, "at least one cluster")),
  /** Interruption handling (docs/drain-actions): action table and drain policy overrides. */
  actions: z._default(section, {}),
  drainPolicy: z._default(section, {}),
  dryRun: z._default(z.boolean(), false),
  /** Pre-scaling policies (docs/prescaling.md). Empty: the pre-scaling stack is not deployed. */
  scaling: z._default(z.array(z.unknown()), []),
  /**
   * Namespaces whose HPAs Slack's `scale` may hold; the pre-scaling sweep looks there too. Absent: the
   * namespaces the policies name.
   */
  scalingCommandNamespaces: z.optional(
    z.array(z.string().check(z.regex(namespaceNamePattern, "a Kubernetes namespace name"))).check(z.minLength(1)),
  ),
  /** Progressive traffic shifting (docs/traffic.md). Empty: the traffic stack is not deployed. */
  rollouts: z._default(z.array(z.unknown()), []),
  /** Slack routing (docs/slack.md). Absent: the Slack stack is not deployed. */
  slack: z.optional(
    z.strictObject({
      defaultChannel: z.string().check(z.regex(/^[CG][A-Z0-9]+$/, "a channel id such as C0123ABCD")),
      slashCommand: z._default(z.string(), "/harbormaster"),
      access: z._default(z.array(z.unknown()), []),
      routes: z._default(z.array(z.unknown()), []),
    }),
  ),
  /** Where the stack's alarms notify (an SNS topic ARN); absent: alarms only change state. */
  alarmTopicArn: z.optional(z.string().check(z.regex(/^arn:aws[-a-z]*:sns:/))),
});

export type HarbormasterConfig = z.infer<typeof configSchema>;
export type ClusterConfig = HarbormasterConfig["clusters"][string];

export class ConfigError extends Error {
  override name = "ConfigError";
}

// Placeholders for values the stack creates; only the configured sections are under test.
const placeholders = {
  AWS_REGION: "us-east-1",
  HARBORMASTER_DEAD_LETTER_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/validation-only",
  HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/validation-only",
  HARBORMASTER_SLACK_SIGNING_SECRET: "validation-only-signing-secret",
  HARBORMASTER_SLACK_BOT_TOKEN: "validation-only",
  HARBORMASTER_SLACK_TABLE: "validation-only",
  HARBORMASTER_SLACK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/validation-only.fifo",
};

/** The first cluster: the one the interruption and pre-scaling functions serve. */
export function primaryCluster(config: HarbormasterConfig): ClusterConfig {
  const [primary] = Object.values(config.clusters);
  if (!primary) throw new ConfigError("clusters: at least one cluster");
  return primary;
}

/** The environment each function receives for this config (secrets and created resources excluded). */
export function featureEnvironment(config: HarbormasterConfig) {
  const primary = primaryCluster(config);
  return {
    interruption: {
      HARBORMASTER_CLUSTER_NAME: primary.eksCluster,
      HARBORMASTER_ACTIONS: JSON.stringify(config.actions),
      HARBORMASTER_DRAIN_POLICY: JSON.stringify(config.drainPolicy),
      HARBORMASTER_DRY_RUN: config.dryRun ? "true" : "false",
    },
    prescaling: {
      HARBORMASTER_PRESCALING_POLICIES: JSON.stringify(config.scaling),
      ...(config.scalingCommandNamespaces && {
        HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: config.scalingCommandNamespaces.join(","),
      }),
    },
    traffic: { HARBORMASTER_TRAFFIC_DOMAINS: JSON.stringify(config.rollouts) },
    slack: config.slack && {
      HARBORMASTER_SLACK_COMMAND: config.slack.slashCommand,
      HARBORMASTER_SLACK_DEFAULT_CHANNEL: config.slack.defaultChannel,
      HARBORMASTER_SLACK_ACCESS: JSON.stringify(config.slack.access),
      HARBORMASTER_SLACK_ROUTES: JSON.stringify(config.slack.routes),
      HARBORMASTER_SLACK_CLUSTERS: JSON.stringify(
        Object.fromEntries(
          Object.entries(config.clusters).map(([n, c]) => [
            n,
            { eksCluster: c.eksCluster, region: c.region, channels: c.channels },
          ]),
        ),
      ),
    },
  };
}

/** Parses and validates the whole config, each section through the schema its function uses at cold start. */
export function validateConfig(raw: unknown): HarbormasterConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describe(parsed.error.issues));
  const config = parsed.data;
  const env = featureEnvironment(config);
  // One section at a time, so an error is pinned to the section that holds it.
  const { HARBORMASTER_ACTIONS, HARBORMASTER_DRAIN_POLICY, ...interruption } = env.interruption;
  check("actions", () => loadInterruptionConfig({ ...placeholders, ...interruption, HARBORMASTER_ACTIONS }));
  check("drainPolicy", () => loadInterruptionConfig({ ...placeholders, ...interruption, HARBORMASTER_DRAIN_POLICY }));
  if (config.scaling.length > 0) {
    const cluster = { HARBORMASTER_CLUSTER_NAME: interruption.HARBORMASTER_CLUSTER_NAME };
    check("scaling", () => loadPrescalingConfig({ ...placeholders, ...cluster, ...env.prescaling }));
  } else if (config.scalingCommandNamespaces) {
    // Without policies pre-scaling is not deployed, and Slack's `scale` has nothing to go to.
    throw new ConfigError("scalingCommandNamespaces: takes effect only with pre-scaling policies (scaling)");
  }
  if (config.rollouts.length > 0) check("rollouts", () => loadTrafficConfig({ ...placeholders, ...env.traffic }));
  if (env.slack) {
    const slack = env.slack;
    check("slack", () => loadSlackCommandConfig({ ...placeholders, ...slack }));
    check("slack", () => loadSlackWorkerConfig({ ...placeholders, ...slack }));
  }
  return config;
}

// The loaders name environment variables; the operator wrote config fields.
const fieldOf: Record<string, string> = {
  HARBORMASTER_ACTIONS: "actions",
  HARBORMASTER_DRAIN_POLICY: "drainPolicy",
  HARBORMASTER_PRESCALING_POLICIES: "scaling",
  HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: "scalingCommandNamespaces",
  HARBORMASTER_TRAFFIC_DOMAINS: "rollouts",
  HARBORMASTER_SLACK_ACCESS: "slack.access",
  HARBORMASTER_SLACK_ROUTES: "slack.routes",
  HARBORMASTER_SLACK_DEFAULT_CHANNEL: "slack.defaultChannel",
  HARBORMASTER_SLACK_COMMAND: "slack.slashCommand",
  HARBORMASTER_SLACK_CLUSTERS: "clusters",
};
const envNames = new RegExp(Object.keys(fieldOf).join("|"), "g");

function check(field: string, load: () => unknown): void {
  try {
    load();
  } catch (error) {
    const issues = zodIssues(error);
    const detail = issues ? describe(issues) : error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${field}: ${detail.replace(envNames, (v) => fieldOf[v] ?? v)}`);
  }
}

function zodIssues(error: unknown): readonly z.ZodIssue[] | undefined {
  if (error instanceof z.ZodError) return error.issues;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof z.ZodError ? cause.issues : undefined;
}

function describe(issues: readonly z.ZodIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? z.toDotPath(i.path) : "(root)"}: ${i.message}`).join("; ");
}
