import { actionTable } from "../core/drain/actions.ts";
import { type DeadlineSettings, defaultDeadlineSettings } from "../core/drain/deadline.ts";
import { drainPolicySchema } from "../core/drain/policy.ts";
import { ConfigurationError } from "../core/errors.ts";
import * as z from "../core/zod.ts";
import { ClusterConfigError, type ClusterTarget, parseClusters } from "./clusters.ts";

export interface InterruptionConfig {
  region: string;
  /** Every cluster this function serves, each with its own actions and drain policy. */
  clusters: ClusterTarget[];
  deadLetterQueueUrl: string;
  /**
   * Set on the function that takes the warnings: it cordons every node at once and hands the drains to
   * this queue, whose function runs few environments (see stacks/event-patterns.ts). Unset: it drains too.
   */
  drainQueueUrl: string | undefined;
  /**
   * The drain function's: after this long, an invocation hands its unfinished drains back to its queue as
   * soon as new ones wait there; unset, it drains as long as it may.
   */
  drainSliceMs: number | undefined;
  deadlines: DeadlineSettings;
  heartbeatIntervalMs: number;
  groupConcurrency: number;
  /** The queue's redrive maxReceiveCount (the stack sets both from one constant). */
  maxReceiveCount: number;
  dryRun: boolean;
  /** Lambda time kept back to save progress and answer the batch. */
  invocationMarginMs: number;
}

const json = (name: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((text, ctx) => {
      if (!text) return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.issues.push({ code: "custom", message: `${name} is not valid JSON`, input: text });
        return z.NEVER;
      }
    }),
  );

const deadlineSchema = z.strictObject({
  marginMs: z._default(z.number().check(z.int(), z.minimum(0)), defaultDeadlineSettings.marginMs),
  lifecycleDrainMs: z._default(z.number().check(z.int(), z.positive()), defaultDeadlineSettings.lifecycleDrainMs),
  defaultDrainMs: z._default(z.number().check(z.int(), z.positive()), defaultDeadlineSettings.defaultDrainMs),
});

const envSchema = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  HARBORMASTER_CLUSTERS: z.optional(z.string().check(z.minLength(1))),
  HARBORMASTER_CLUSTER_NAME: z.optional(z.string().check(z.minLength(1))),
  KUBECONFIG: z.optional(z.string().check(z.minLength(1))),
  HARBORMASTER_DEAD_LETTER_QUEUE_URL: z.url(),
  HARBORMASTER_DRAIN_QUEUE_URL: z.optional(z.url()),
  HARBORMASTER_DRAIN_SLICE_SECONDS: z.optional(z.coerce.number().check(z.int(), z.minimum(5), z.maximum(900))),
  HARBORMASTER_ACTIONS: json("HARBORMASTER_ACTIONS"),
  HARBORMASTER_DRAIN_POLICY: json("HARBORMASTER_DRAIN_POLICY"),
  HARBORMASTER_DEADLINES: json("HARBORMASTER_DEADLINES"),
  HARBORMASTER_HEARTBEAT_INTERVAL_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 60),
  HARBORMASTER_GROUP_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500)), 100),
  HARBORMASTER_MAX_RECEIVE_COUNT: z._default(z.coerce.number().check(z.int(), z.minimum(2), z.maximum(1000)), 10),
  HARBORMASTER_DRY_RUN: z._default(z.enum(["true", "false"]), "false"),
});

/** Parses the function's environment once, at cold start; a bad setting stops it with the setting's name. */
export function loadInterruptionConfig(env: NodeJS.ProcessEnv): InterruptionConfig {
  try {
    const e = envSchema.parse(env);
    // The deployment-wide settings are checked on their own first, so an error names the setting it is in.
    actionTable(e.HARBORMASTER_ACTIONS);
    drainPolicySchema.parse(e.HARBORMASTER_DRAIN_POLICY);
    return {
      region: e.AWS_REGION,
      // The deployment's actions and policy, with each cluster's overrides merged over them.
      clusters: parseClusters(e, {
        region: e.AWS_REGION,
        actions: asRecord(e.HARBORMASTER_ACTIONS, "HARBORMASTER_ACTIONS"),
        drainPolicy: asRecord(e.HARBORMASTER_DRAIN_POLICY, "HARBORMASTER_DRAIN_POLICY"),
      }),
      deadLetterQueueUrl: e.HARBORMASTER_DEAD_LETTER_QUEUE_URL,
      drainQueueUrl: e.HARBORMASTER_DRAIN_QUEUE_URL,
      drainSliceMs:
        e.HARBORMASTER_DRAIN_SLICE_SECONDS === undefined ? undefined : e.HARBORMASTER_DRAIN_SLICE_SECONDS * 1000,
      deadlines: deadlineSchema.parse(e.HARBORMASTER_DEADLINES),
      heartbeatIntervalMs: e.HARBORMASTER_HEARTBEAT_INTERVAL_SECONDS * 1000,
      groupConcurrency: e.HARBORMASTER_GROUP_CONCURRENCY,
      maxReceiveCount: e.HARBORMASTER_MAX_RECEIVE_COUNT,
      dryRun: e.HARBORMASTER_DRY_RUN === "true",
      // Longer than an eviction may take (see the cluster adapter), so none is cut off by the Lambda timeout.
      invocationMarginMs: 30_000,
    };
  } catch (error) {
    if (error instanceof z.ZodError) throw new ConfigurationError(`invalid configuration: ${z.prettifyError(error)}`);
    if (error instanceof ClusterConfigError)
      throw new ConfigurationError(`invalid configuration: ${error.message}`, { cause: error });
    throw error;
  }
}

function asRecord(value: unknown, name: string): Record<string, unknown> {
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new ClusterConfigError(`${name}: an object`);
}
