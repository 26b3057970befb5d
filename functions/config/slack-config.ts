import { ConfigurationError } from "../core/errors.ts";
import { type AccessRule, accessRulesSchema } from "../core/slack/access.ts";
import { type Route, routeSchema } from "../core/slack/routing.ts";
import type { UpgradeTarget } from "../core/slack/upgrade-words.ts";
import * as z from "../core/zod.ts";

const json = (name: string, fallback: string) =>
  z.pipe(
    z._default(z.string(), fallback),
    z.transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.issues.push({ code: "custom", message: `${name} is not valid JSON`, input: text });
        return z.NEVER;
      }
    }),
  );

/** A cluster the commands may address: EKS by name (in Lambda) or a kubeconfig file (locally). */
const clusterSchema = z
  .strictObject({
    eksCluster: z.optional(z.string().check(z.minLength(1))),
    region: z.optional(z.string().check(z.minLength(1))),
    kubeconfig: z.optional(z.string().check(z.minLength(1))),
    /** Channels where commands address this cluster unless they say `on <cluster>`. */
    channels: z._default(z.array(z.string().check(z.regex(/^[CGD][A-Z0-9]+$/))), []),
  })
  .check(z.refine((c) => c.eksCluster || c.kubeconfig, { message: "set eksCluster or kubeconfig" }));
export type SlackCluster = z.infer<typeof clusterSchema>;
const clusterName = z.string().check(z.regex(/^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/));
const clustersSchema = z.record(clusterName, clusterSchema);

/** Upgrade name → its domain and clusters: what `upgrade` commands may address, and what authorises them. */
const upgradesSchema = z.record(
  z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/)),
  z.strictObject({ domain: z.string().check(z.minLength(1)), blue: clusterName, green: clusterName }),
);

const commandEnv = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  HARBORMASTER_SLACK_SIGNING_SECRET: z.string().check(z.minLength(16)),
  HARBORMASTER_SLACK_COMMAND: z._default(z.string().check(z.regex(/^\/[a-z0-9_-]{1,31}$/)), "/harbormaster"),
  HARBORMASTER_SLACK_ACCESS: json("HARBORMASTER_SLACK_ACCESS", "[]"),
  HARBORMASTER_SLACK_CLUSTERS: json("HARBORMASTER_SLACK_CLUSTERS", "{}"),
  HARBORMASTER_SLACK_UPGRADES: json("HARBORMASTER_SLACK_UPGRADES", "{}"),
  HARBORMASTER_SLACK_TABLE: z.string().check(z.minLength(1)),
  HARBORMASTER_SLACK_QUEUE_URL: z.url(),
});

const workerEnv = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  HARBORMASTER_SLACK_BOT_TOKEN: z.string().check(z.minLength(1)),
  HARBORMASTER_SLACK_COMMAND: z._default(z.string().check(z.regex(/^\/[a-z0-9_-]{1,31}$/)), "/harbormaster"),
  HARBORMASTER_SLACK_API_URL: z._default(z.url(), "https://slack.com/api/"),
  HARBORMASTER_SLACK_RESPONSE_URL_PREFIX: z._default(z.url(), "https://hooks.slack.com/"),
  HARBORMASTER_SLACK_CLUSTERS: json("HARBORMASTER_SLACK_CLUSTERS", "{}"),
  HARBORMASTER_SLACK_ROUTES: json("HARBORMASTER_SLACK_ROUTES", "[]"),
  HARBORMASTER_SLACK_DEFAULT_CHANNEL: z.string().check(z.regex(/^[CG][A-Z0-9]+$/)),
  HARBORMASTER_SLACK_TABLE: z.string().check(z.minLength(1)),
  HARBORMASTER_SLACK_CHANNEL_INTERVAL_MS: z._default(
    z.coerce.number().check(z.int(), z.minimum(0), z.maximum(60_000)),
    1_000,
  ),
  /** Retries of a failed Slack call inside one invocation; the queue retries the job after that. */
  HARBORMASTER_SLACK_RETRIES: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10)), 3),
  /** The event bus the traffic feature listens on for control events; unset: traffic commands are unavailable. */
  HARBORMASTER_SLACK_TRAFFIC_BUS: z.optional(z.string().check(z.minLength(1))),
  /** Cluster → its pre-scaling queue URL, for `scale` and `headroom`; a cluster without one refuses them. */
  HARBORMASTER_SLACK_PRESCALING_QUEUES: json("HARBORMASTER_SLACK_PRESCALING_QUEUES", "{}"),
});

export interface SlackCommandConfig {
  region: string;
  signingSecret: string;
  slashCommand: string;
  access: AccessRule[];
  clusters: Record<string, SlackCluster>;
  upgrades: Record<string, UpgradeTarget>;
  table: string;
  queueUrl: string;
}

export interface SlackWorkerConfig {
  region: string;
  botToken: string;
  slashCommand: string;
  apiUrl: string;
  responseUrlPrefix: string;
  clusters: Record<string, SlackCluster>;
  routes: Route[];
  defaultChannel: string;
  table: string;
  channelIntervalMs: number;
  retries: number;
  trafficBus?: string;
  prescalingQueues: Record<string, string>;
}

function parse<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof z.ZodError) throw new ConfigurationError(`invalid configuration: ${z.prettifyError(error)}`);
    throw error;
  }
}

/** The acknowledging function's settings, parsed once at cold start. */
export function loadSlackCommandConfig(env: NodeJS.ProcessEnv): SlackCommandConfig {
  return parse(() => {
    const e = commandEnv.parse(env);
    return {
      region: e.AWS_REGION,
      signingSecret: e.HARBORMASTER_SLACK_SIGNING_SECRET,
      slashCommand: e.HARBORMASTER_SLACK_COMMAND,
      access: accessRulesSchema.parse(e.HARBORMASTER_SLACK_ACCESS),
      clusters: clustersSchema.parse(e.HARBORMASTER_SLACK_CLUSTERS),
      upgrades: upgradesSchema.parse(e.HARBORMASTER_SLACK_UPGRADES),
      table: e.HARBORMASTER_SLACK_TABLE,
      queueUrl: e.HARBORMASTER_SLACK_QUEUE_URL,
    };
  });
}

export function loadSlackWorkerConfig(env: NodeJS.ProcessEnv): SlackWorkerConfig {
  return parse(() => {
    const e = workerEnv.parse(env);
    return {
      region: e.AWS_REGION,
      botToken: e.HARBORMASTER_SLACK_BOT_TOKEN,
      slashCommand: e.HARBORMASTER_SLACK_COMMAND,
      apiUrl: e.HARBORMASTER_SLACK_API_URL,
      responseUrlPrefix: e.HARBORMASTER_SLACK_RESPONSE_URL_PREFIX,
      clusters: clustersSchema.parse(e.HARBORMASTER_SLACK_CLUSTERS),
      routes: z.array(routeSchema).parse(e.HARBORMASTER_SLACK_ROUTES),
      defaultChannel: e.HARBORMASTER_SLACK_DEFAULT_CHANNEL,
      table: e.HARBORMASTER_SLACK_TABLE,
      channelIntervalMs: e.HARBORMASTER_SLACK_CHANNEL_INTERVAL_MS,
      retries: e.HARBORMASTER_SLACK_RETRIES,
      trafficBus: e.HARBORMASTER_SLACK_TRAFFIC_BUS,
      prescalingQueues: z.record(z.string(), z.url()).parse(e.HARBORMASTER_SLACK_PRESCALING_QUEUES),
    };
  });
}

const notifierEnv = z.object({
  HARBORMASTER_SLACK_QUEUE_URL: z.optional(z.url()),
  HARBORMASTER_CLUSTER_NAME: z.optional(z.string().check(z.minLength(1))),
});

/** What a feature's function needs to queue notifications; undefined when Slack is not set up. */
export function loadSlackNotifierConfig(env: NodeJS.ProcessEnv): { queueUrl: string; cluster?: string } | undefined {
  return parse(() => {
    const e = notifierEnv.parse(env);
    return e.HARBORMASTER_SLACK_QUEUE_URL
      ? { queueUrl: e.HARBORMASTER_SLACK_QUEUE_URL, cluster: e.HARBORMASTER_CLUSTER_NAME }
      : undefined;
  });
}
