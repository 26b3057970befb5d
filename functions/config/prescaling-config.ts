import { ConfigurationError } from "../core/errors.ts";
import { type Policy, policiesSchema } from "../core/prescaling/policy.ts";
import * as z from "../core/zod.ts";
import { clusterAccessMessage, clusterAccessShape, requireClusterAccess } from "./cluster-access.ts";

export interface PrescalingConfig {
  region: string;
  clusterName?: string;
  kubeconfigPath?: string;
  policies: Policy[];
  /** Ask CloudWatch for the alarm's state before raising, so a late ALARM after its OK does nothing. */
  checkAlarmState: boolean;
  /** Namespaces whose HPAs Slack's `scale` may hold (the sweep looks there too); default: the policies'. */
  commandNamespaces?: string[];
}

/** A Kubernetes namespace name (an RFC 1123 label). */
export const namespaceNamePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const envSchema = z
  .object({
    ...clusterAccessShape,
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
  })
  .check(z.refine(requireClusterAccess, clusterAccessMessage));

/** Parses the environment and every policy once, at cold start; a bad policy stops it, naming the field. */
export function loadPrescalingConfig(env: NodeJS.ProcessEnv): PrescalingConfig {
  try {
    const e = envSchema.parse(env);
    return {
      region: e.AWS_REGION,
      clusterName: e.HARBORMASTER_CLUSTER_NAME,
      kubeconfigPath: e.KUBECONFIG,
      policies: parsePolicies(e.HARBORMASTER_PRESCALING_POLICIES),
      checkAlarmState: e.HARBORMASTER_PRESCALING_CHECK_ALARMS === "true",
      commandNamespaces: e.HARBORMASTER_PRESCALING_COMMAND_NAMESPACES,
    };
  } catch (error) {
    if (error instanceof z.ZodError)
      throw new ConfigurationError(`invalid configuration: ${z.prettifyError(error)}`, { cause: error });
    throw error;
  }
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
