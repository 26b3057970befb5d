import { ConfigurationError } from "../core/errors.ts";
import type { TrafficDomain } from "../core/traffic/domain.ts";
import { planSchema } from "../core/traffic/plan.ts";
import * as z from "../core/zod.ts";

export interface TrafficConfig {
  region: string;
  domains: TrafficDomain[];
  scheduleGroup: string;
  schedulerRoleArn: string;
  /** What schedules invoke; unset, the function's own ARN (from its invocation context). */
  functionArn?: string;
  /** How long a change may stay PENDING before the write counts as failed. */
  changeTimeoutMs: number;
}

export interface DeployWebhookConfig {
  region: string;
  eventBusName: string;
  githubSecret?: string;
  argocdToken?: string;
}

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

const fqdn = (name: string) => `${name.toLowerCase().replace(/\.$/, "")}.`;

const domainSchema = z.pipe(
  z.strictObject({
    // Names schedules (64 characters at most, with the rollout id and revision) and Slack commands.
    name: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,23}$/, "lower-case letters, digits and '-', at most 24")),
    hostedZoneId: z.pipe(
      z.string().check(z.minLength(1)),
      z.transform((id) => id.replace(/^\/?hostedzone\//, "")),
    ),
    recordName: z.pipe(z.string().check(z.minLength(1), z.maxLength(250)), z.transform(fqdn)),
    recordType: z._default(z.enum(["A", "AAAA", "CNAME"]), "A"),
    metadataRecordName: z.optional(z.pipe(z.string().check(z.minLength(1), z.maxLength(250)), z.transform(fqdn))),
    setIdentifiers: z.array(z.string().check(z.minLength(1), z.maxLength(128))).check(
      z.minLength(2, "a rollout needs two or more weighted record sets"),
      z.maxLength(10),
      z.refine((ids) => new Set(ids).size === ids.length, "set identifiers must be unique"),
    ),
    alarms: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(255))).check(z.maxLength(10)), []),
    insufficientData: z.enum(["proceed", "wait", "rollback"], {
      error: "say what an alarm in INSUFFICIENT_DATA means: proceed, wait or rollback",
    }),
    insufficientDataRetrySeconds: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(3600)), 60),
    maxInsufficientDataWaits: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(100)), 10),
    plan: planSchema,
    applications: z._default(z.array(z.string().check(z.minLength(1))), []),
  }),
  z.transform(
    (d): TrafficDomain => ({ ...d, metadataRecordName: d.metadataRecordName ?? `_harbormaster.${d.recordName}` }),
  ),
);

const domainsSchema = z.pipe(
  json,
  z.array(domainSchema).check(
    z.minLength(1, "configure at least one domain"),
    z.superRefine((domains, ctx) => {
      const seen = new Set<string>();
      for (const [i, d] of domains.entries()) {
        for (const key of [`name:${d.name}`, `record:${d.hostedZoneId}/${d.recordName}/${d.recordType}`]) {
          if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `duplicate ${key}` });
          seen.add(key);
        }
      }
    }),
  ),
);

const trafficEnv = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  HARBORMASTER_TRAFFIC_DOMAINS: domainsSchema,
  HARBORMASTER_TRAFFIC_SCHEDULE_GROUP: z._default(
    z.string().check(z.regex(/^[0-9a-zA-Z-_.]{1,64}$/)),
    "harbormaster-traffic",
  ),
  HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: z.string().check(z.startsWith("arn:")),
  HARBORMASTER_TRAFFIC_FUNCTION_ARN: z.optional(z.string().check(z.startsWith("arn:"))),
  HARBORMASTER_TRAFFIC_CHANGE_TIMEOUT_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(5), z.maximum(900)),
    120,
  ),
});

const webhookEnv = z
  .object({
    AWS_REGION: z.string().check(z.minLength(1)),
    HARBORMASTER_EVENT_BUS_NAME: z._default(z.string().check(z.minLength(1)), "default"),
    HARBORMASTER_GITHUB_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(16))),
    HARBORMASTER_ARGOCD_WEBHOOK_TOKEN: z.optional(z.string().check(z.minLength(16))),
  })
  .check(
    z.refine((e) => e.HARBORMASTER_GITHUB_WEBHOOK_SECRET || e.HARBORMASTER_ARGOCD_WEBHOOK_TOKEN, {
      message: "set HARBORMASTER_GITHUB_WEBHOOK_SECRET and/or HARBORMASTER_ARGOCD_WEBHOOK_TOKEN",
    }),
  );

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof z.ZodError) throw new ConfigurationError(`invalid configuration: ${z.prettifyError(error)}`);
    throw error;
  }
}

/** Parses the traffic function's environment once, at cold start; a bad setting names itself. */
export function loadTrafficConfig(env: NodeJS.ProcessEnv): TrafficConfig {
  return parsed(() => {
    const e = trafficEnv.parse(env);
    return {
      region: e.AWS_REGION,
      domains: e.HARBORMASTER_TRAFFIC_DOMAINS,
      scheduleGroup: e.HARBORMASTER_TRAFFIC_SCHEDULE_GROUP,
      schedulerRoleArn: e.HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN,
      functionArn: e.HARBORMASTER_TRAFFIC_FUNCTION_ARN,
      changeTimeoutMs: e.HARBORMASTER_TRAFFIC_CHANGE_TIMEOUT_SECONDS * 1000,
    };
  });
}

export function loadDeployWebhookConfig(env: NodeJS.ProcessEnv): DeployWebhookConfig {
  return parsed(() => {
    const e = webhookEnv.parse(env);
    return {
      region: e.AWS_REGION,
      eventBusName: e.HARBORMASTER_EVENT_BUS_NAME,
      githubSecret: e.HARBORMASTER_GITHUB_WEBHOOK_SECRET,
      argocdToken: e.HARBORMASTER_ARGOCD_WEBHOOK_TOKEN,
    };
  });
}
