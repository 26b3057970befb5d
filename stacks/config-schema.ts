// The one typed configuration of a Harbormaster deployment. The top level is parsed here; each feature's
// section is then handed, as the environment variable its function reads, to that function's own loader:
// the exact schema the function runs again at cold start. Errors name the field (`slack.routes[0].channel`).

import { parseClusters } from "../functions/config/clusters.ts";
import { loadPrescalingConfig, namespaceNamePattern } from "../functions/config/prescaling-config.ts";
import { loadSlackCommandConfig, loadSlackWorkerConfig } from "../functions/config/slack-config.ts";
import { loadTrafficConfig } from "../functions/config/traffic-config.ts";
import { loadUpgradeConfig } from "../functions/config/upgrade-config.ts";
import { actionTable } from "../functions/core/drain/actions.ts";
import { drainPolicySchema } from "../functions/core/drain/policy.ts";
import * as z from "../functions/core/zod.ts";
import { maxGroupsPerRegion } from "./cluster-groups.ts";
import { ConfigError } from "./config-error.ts";
import { environmentBytes, featureEnvironment } from "./feature-environment.ts";
import { slackWorkerVpc, trafficVpc } from "./network.ts";
import { maxConfigEnvironmentBytes } from "./settings.ts";

const name = z.string().check(z.regex(/^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/, "letters, digits, - and _ only"));
const section = z.record(z.string(), z.unknown());
const topicArn = z.string().check(z.regex(/^arn:aws[-a-z]*:sns:[a-z0-9-]+:\d{12}:[-\w]+$/, "an SNS topic ARN"));

/** Subnets and security groups through which functions reach a private EKS endpoint. */
const vpcSchema = z.strictObject({
  privateSubnets: z.array(z.string().check(z.regex(/^subnet-[0-9a-f]+$/))).check(z.minLength(1)),
  securityGroups: z.array(z.string().check(z.regex(/^sg-[0-9a-f]+$/))).check(z.minLength(1)),
});

const clusterSchema = z.strictObject({
  /** The EKS cluster's name in AWS. */
  eksCluster: z.string().check(z.minLength(1)),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-east-2")),
  /** Clusters of one region and the same `vpc` share their functions (stacks/cluster-groups.ts). */
  vpc: z.optional(vpcSchema),
  /** Auto Scaling groups whose lifecycle hooks Harbormaster completes; IAM is scoped to them. */
  autoScalingGroups: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Create the EKS access entries for the functions' roles (stacks/eks-access.ts); false if managed elsewhere. */
  manageAccess: z._default(z.boolean(), true),
  /** Slack channels where commands address this cluster without `on <cluster>`. */
  channels: z._default(z.array(z.string().check(z.regex(/^[CGD][A-Z0-9]+$/))), []),
  /** This cluster's overrides of the deployment's `actions` and `drainPolicy`, merged over them. */
  actions: z.optional(section),
  drainPolicy: z.optional(section),
});

export const configSchema = z.strictObject({
  /** Clusters by Harbormaster name. Every function serves every cluster; none comes first. */
  clusters: z.record(name, clusterSchema).check(z.refine((c) => Object.keys(c).length > 0, "at least one cluster")),
  /** Interruption handling (docs/drain-actions): the deployment's action table and drain policy overrides. */
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
  /**
   * Blue-green cluster upgrades (docs/traffic.md, "Upgrading a cluster"): each shifts a rollout domain's
   * weights from one configured cluster to another, run by the traffic function. Checked against `clusters`
   * and `rollouts` here (stacks/upgrades.ts), and whole by the function's loader.
   */
  upgrades: z._default(z.array(z.unknown()), []),
  /** Slack routing (docs/slack.md). Absent: the Slack stack is not deployed. */
  slack: z.optional(
    z.strictObject({
      defaultChannel: z.string().check(z.regex(/^[CG][A-Z0-9]+$/, "a channel id such as C0123ABCD")),
      slashCommand: z._default(z.string(), "/harbormaster"),
      access: z._default(z.array(z.unknown()), []),
      routes: z._default(z.array(z.unknown()), []),
      /**
       * Where the Slack worker runs when the clusters' private endpoints sit in several VPCs: subnets from
       * which every cluster's API is reachable (peering, Transit Gateway). Absent: the clusters' one VPC.
       */
      vpc: z.optional(vpcSchema),
    }),
  ),
  /**
   * Where the stack's alarms notify: an SNS topic ARN, or one per region, since CloudWatch notifies topics
   * of the alarm's own region only. Absent, or none in a region: the alarms there only change state.
   */
  alarmTopicArn: z.optional(z.union([topicArn, z.array(topicArn).check(z.minLength(1))])),
});

export type HarbormasterConfig = z.infer<typeof configSchema>;
export type ClusterConfig = HarbormasterConfig["clusters"][string];

export type VpcConfig = z.infer<typeof vpcSchema>;

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

/** Parses and validates the whole config, each section through the schema its function uses at cold start. */
export function validateConfig(raw: unknown): HarbormasterConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describe(parsed.error.issues));
  const config = parsed.data;
  // Without policies pre-scaling is not deployed, and Slack's `scale` has nothing to go to.
  if (config.scaling.length === 0 && config.scalingCommandNamespaces)
    throw new ConfigError("scalingCommandNamespaces: takes effect only with pre-scaling policies (scaling)");
  const env = featureEnvironment(config);
  for (const { region, groups } of env.regions) {
    if (groups.length > maxGroupsPerRegion)
      throw new ConfigError(
        `clusters: ${region} has clusters in ${groups.length} VPC placements; its rules feed at most ${maxGroupsPerRegion}`,
      );
  }
  // The deployment's tables on their own first, so that a mistake in them is not blamed on a cluster.
  check("actions", () => actionTable(config.actions));
  check("drainPolicy", () => drainPolicySchema.parse(config.drainPolicy));
  const defaults = { region: placeholders.AWS_REGION, actions: config.actions, drainPolicy: config.drainPolicy };
  for (const { group, interruption, prescaling } of env.groups) {
    // The function's own loader merges each cluster's overrides and names the cluster in its error.
    check("clusters", () => parseClusters(interruption, defaults), true);
    checkSize("clusters", group.clusters, "interruption", interruption);
    if (!prescaling) continue;
    check("clusters", () => parseClusters(prescaling, defaults), true);
    // The function's own loader: its policies, and that each names clusters the function serves.
    check("scaling", () => loadPrescalingConfig({ ...placeholders, ...prescaling }));
    checkSize("scaling", group.clusters, "pre-scaling", prescaling);
  }
  if (config.rollouts.length > 0) check("rollouts", () => loadTrafficConfig({ ...placeholders, ...env.traffic }));
  if (env.upgrades.clusters.length > 0) {
    // The traffic function's own cluster loader, on the clusters it is given for the upgrades.
    check("clusters", () => parseClusters(env.traffic, defaults), true);
    checkSize("upgrades", env.upgrades.clusters, "traffic", env.traffic);
    // The traffic function's own upgrade loader: every default and bound it applies, before anything deploys.
    check("upgrades", () => {
      const traffic = { ...placeholders, ...env.traffic };
      return loadUpgradeConfig(traffic, loadTrafficConfig(traffic).domains);
    });
    trafficVpc(config.clusters, env.upgrades.clusters);
  }
  if (env.slack && config.slack) {
    const slack = env.slack;
    slackWorkerVpc(config.clusters, config.slack.vpc);
    check("slack", () => loadSlackCommandConfig({ ...placeholders, ...slack }));
    check("slack", () => loadSlackWorkerConfig({ ...placeholders, ...slack }));
  }
  return config;
}

function checkSize(field: string, clusters: readonly string[], fn: string, env: Record<string, string | undefined>) {
  const bytes = environmentBytes(env);
  if (bytes > maxConfigEnvironmentBytes)
    throw new ConfigError(
      `${field}: the ${fn} function of ${clusters.join(", ")} would take ${bytes} bytes of config in its environment; Lambda's 4 KB leave ${maxConfigEnvironmentBytes}`,
    );
}

// The loaders name environment variables; the operator wrote config fields.
const fieldOf: Record<string, string> = {
  HARBORMASTER_ACTIONS: "actions",
  HARBORMASTER_DRAIN_POLICY: "drainPolicy",
  HARBORMASTER_PRESCALING_POLICIES: "scaling",
  HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: "scalingCommandNamespaces",
  HARBORMASTER_TRAFFIC_DOMAINS: "rollouts",
  HARBORMASTER_UPGRADES: "upgrades",
  HARBORMASTER_SLACK_UPGRADES: "upgrades",
  HARBORMASTER_SLACK_ACCESS: "slack.access",
  HARBORMASTER_SLACK_ROUTES: "slack.routes",
  HARBORMASTER_SLACK_DEFAULT_CHANNEL: "slack.defaultChannel",
  HARBORMASTER_SLACK_COMMAND: "slack.slashCommand",
  HARBORMASTER_SLACK_CLUSTERS: "clusters",
  HARBORMASTER_CLUSTERS: "clusters",
};
const envNames = new RegExp(Object.keys(fieldOf).join("|"), "g");

/** `named`: the loader's message already starts with the field's path (`HARBORMASTER_CLUSTERS.blue.actions`). */
function check(field: string, load: () => unknown, named = false): void {
  try {
    load();
  } catch (error) {
    const issues = zodIssues(error);
    const detail = issues ? describe(issues) : error instanceof Error ? error.message : String(error);
    const message = detail.replace(envNames, (v) => fieldOf[v] ?? v);
    throw new ConfigError(named ? message : `${field}: ${message}`);
  }
}

function zodIssues(error: unknown): readonly z.ZodIssue[] | undefined {
  if (error instanceof z.ZodError) return error.issues;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof z.ZodError ? cause.issues : undefined;
}

function describe(issues: readonly z.ZodIssue[]): string {
  return issues.map((i) => (i.path.length > 0 ? `${z.toDotPath(i.path)}: ${i.message}` : i.message)).join("; ");
}
