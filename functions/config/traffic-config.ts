import { z } from "zod";
import { ConfigurationError } from "../core/errors.ts";
import type { TrafficDomain } from "../core/traffic/domain.ts";
import { planSchema } from "../core/traffic/plan.ts";

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

const json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "is not valid JSON" });
    return z.NEVER;
  }
});

const fqdn = (name: string) => `${name.toLowerCase().replace(/\.$/, "")}.`;

const domainSchema = z
  .strictObject({
    // Names schedules (64 characters at most, with the rollout id and revision) and Slack commands.
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,23}$/, "lower-case letters, digits and '-', at most 24"),
    hostedZoneId: z
      .string()
      .min(1)
      .transform((id) => id.replace(/^\/?hostedzone\//, "")),
    recordName: z.string().min(1).max(250).transform(fqdn),
    recordType: z.enum(["A", "AAAA", "CNAME"]).default("A"),
    metadataRecordName: z.string().min(1).max(250).transform(fqdn).optional(),
    setIdentifiers: z
      .array(z.string().min(1).max(128))
      .min(2, "a rollout needs two or more weighted record sets")
      .max(10)
      .refine((ids) => new Set(ids).size === ids.length, "set identifiers must be unique"),
    alarms: z.array(z.string().min(1).max(255)).max(10).default([]),
    insufficientData: z.enum(["proceed", "wait", "rollback"], {
      error: "say what an alarm in INSUFFICIENT_DATA means: proceed, wait or rollback",
    }),
    insufficientDataRetrySeconds: z.number().int().min(10).max(3600).default(60),
    maxInsufficientDataWaits: z.number().int().min(1).max(100).default(10),
    plan: planSchema,
    applications: z.array(z.string().min(1)).default([]),
  })
  .transform(
    (d): TrafficDomain => ({ ...d, metadataRecordName: d.metadataRecordName ?? `_harbormaster.${d.recordName}` }),
  );

const domainsSchema = json.pipe(
  z
    .array(domainSchema)
    .min(1, "configure at least one domain")
    .superRefine((domains, ctx) => {
      const seen = new Set<string>();
      for (const [i, d] of domains.entries()) {
        for (const key of [`name:${d.name}`, `record:${d.hostedZoneId}/${d.recordName}/${d.recordType}`]) {
          if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `duplicate ${key}` });
          seen.add(key);
        }
      }
    }),
);

const trafficEnv = z.object({
  AWS_REGION: z.string().min(1),
  HARBORMASTER_TRAFFIC_DOMAINS: domainsSchema,
  HARBORMASTER_TRAFFIC_SCHEDULE_GROUP: z
    .string()
    .regex(/^[0-9a-zA-Z-_.]{1,64}$/)
    .default("harbormaster-traffic"),
  HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: z.string().startsWith("arn:"),
  HARBORMASTER_TRAFFIC_FUNCTION_ARN: z.string().startsWith("arn:").optional(),
  HARBORMASTER_TRAFFIC_CHANGE_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(900).default(120),
});

const webhookEnv = z
  .object({
    AWS_REGION: z.string().min(1),
    HARBORMASTER_EVENT_BUS_NAME: z.string().min(1).default("default"),
    HARBORMASTER_GITHUB_WEBHOOK_SECRET: z.string().min(16).optional(),
    HARBORMASTER_ARGOCD_WEBHOOK_TOKEN: z.string().min(16).optional(),
  })
  .refine((e) => e.HARBORMASTER_GITHUB_WEBHOOK_SECRET || e.HARBORMASTER_ARGOCD_WEBHOOK_TOKEN, {
    message: "set HARBORMASTER_GITHUB_WEBHOOK_SECRET and/or HARBORMASTER_ARGOCD_WEBHOOK_TOKEN",
  });

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
