import { ConfigurationError } from "../core/errors.ts";
import { type Policy, policiesSchema } from "../core/prescaling/policy.ts";
import * as z from "../core/zod.ts";
import { ClusterConfigError, type ClusterTarget, parseClusters } from "./clusters.ts";

export interface PrescalingConfig {
  region: string;
  /** Every cluster this function serves. */
  clusters: ClusterTarget[];
  policies: Policy[];
  /** Ask CloudWatch for the alarm's state before raising, so a late ALARM after its OK does nothing. */
  checkAlarmState: boolean;
  /** Namespaces whose HPAs Slack's `scale` may hold (the sweep looks there too); default: the policies'. */
  commandNamespaces?: string[];
}

/** A Kubernetes namespace name (an RFC 1123 label). */
export const namespaceNamePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const envSchema = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  HARBORMASTER_CLUSTERS: z.optional(z.string().check(z.minLength(1))),
  HARBORMASTER_CLUSTER_NAME: z.optional(z.string().check(z.minLength(1))),
  KUBECONFIG: z.optional(z.string().check(z.minLength(1))),
  HARBORMASTER_PRESCALING_POLICIES: z.string().check(z.minLength(1)),
  HARBORMASTER_PRESCALING_CHECK_ALARMS: z._default(z.enum(["true", "false"]), "true"),
  HARBORMASTER_PRESCALING_COMMAND_NAMESPACES: z.optional(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => {
        const names = text.split(",").map((n) => n.trim());
        if (names.every((n) => namespaceNamePattern.test(n))) return names;
        ctx.issues.push({ code: "custom", message: "a comma-separated list of namespace names", input: text });
        return z.NEVER;
      }),
    ),
  ),
});

/** Parses the environment and every policy once, at cold start; a bad policy stops it, naming the field. */
export function loadPrescalingConfig(env: NodeJS.ProcessEnv): PrescalingConfig {
  try {
    const e = envSchema.parse(env);
    const clusters = parseClusters(e, { region: e.AWS_REGION, actions: {}, drainPolicy: {} });
    const policies = parsePolicies(e.HARBORMASTER_PRESCALING_POLICIES);
    checkPolicyClusters(policies, clusters);
    return {
      region: e.AWS_REGION,
      clusters,
      policies,
      checkAlarmState: e.HARBORMASTER_PRESCALING_CHECK_ALARMS === "true",
      commandNamespaces: e.HARBORMASTER_PRESCALING_COMMAND_NAMESPACES,
    };
  } catch (error) {
    if (error instanceof z.ZodError)
      throw new ConfigurationError(`invalid configuration: ${z.prettifyError(error)}`, { cause: error });
    if (error instanceof ClusterConfigError)
      throw new ConfigurationError(`invalid configuration: ${error.message}`, { cause: error });
    throw error;
  }
}

// With several clusters a policy must say whose HPAs it holds: guessing would raise the wrong cluster.
function checkPolicyClusters(policies: readonly Policy[], clusters: readonly ClusterTarget[]): void {
  const names = clusters.map((c) => c.name);
  policies.forEach((policy, i) => {
    if (!policy.clusters && names.length > 1)
      throw new ClusterConfigError(
        `HARBORMASTER_PRESCALING_POLICIES[${i}].clusters: name the clusters of policy "${policy.name}": any of ${names.join(", ")}`,
      );
    for (const name of policy.clusters ?? [])
      if (!names.includes(name))
        throw new ClusterConfigError(
          `HARBORMASTER_PRESCALING_POLICIES[${i}].clusters: unknown cluster "${name}": one of ${names.join(", ")}`,
        );
  });
}

export function parsePolicies(text: string): Policy[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError("HARBORMASTER_PRESCALING_POLICIES is not valid JSON", { cause: error });
  }
  const parsed = policiesSchema.safeParse(json);
  if (!parsed.success)
    throw new ConfigurationError(`HARBORMASTER_PRESCALING_POLICIES: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  return parsed.data;
}
