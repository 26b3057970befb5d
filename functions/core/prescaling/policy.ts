import * as z from "../zod.ts";
import { isQuantity } from "./quantity.ts";
import { windowSchema } from "./windows.ts";

const name = z.string().check(z.regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "lowercase letters, digits and dashes"));
const quantity = z.string().check(z.refine(isQuantity, "a Kubernetes quantity such as 500m, 2 or 1Gi"));

/** An HPA, or the KEDA ScaledObject that owns one (KEDA would undo a change made to its HPA). */
export const targetSchema = z.strictObject({
  kind: z._default(z.enum(["HorizontalPodAutoscaler", "ScaledObject"]), "HorizontalPodAutoscaler"),
  namespace: name,
  name: z.string().check(z.minLength(1), z.maxLength(253)),
});
export type TargetRef = z.infer<typeof targetSchema>;

/** How the floor (minReplicas) is raised, from the replicas running when the trigger arrives. */
export const floorSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("absolute"), replicas: z.number().check(z.int(), z.minimum(1)) }),
  z.strictObject({ mode: z.literal("multiply"), factor: z.number().check(z.gt(1), z.maximum(100)) }),
  z.strictObject({ mode: z.literal("add"), replicas: z.number().check(z.int(), z.minimum(1)) }),
]);
export type FloorRule = z.infer<typeof floorSchema>;

const steps = z.array(z.tuple([z.number().check(z.minimum(0)), z.number().check(z.int(), z.minimum(0))])).check(
  z.minLength(1),
  z.refine((s) => s.every((step, i) => i === 0 || step[0] > (s[i - 1]?.[0] ?? 0)), "thresholds must increase"),
);

/**
 * How many headroom units to hold: Ocean's manual headroom (units), its automatic headroom (a share of
 * what pods request), or cluster-proportional-autoscaler's linear and ladder modes (nodes and cores).
 */
export const sizingSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("units"), units: z.number().check(z.int(), z.minimum(0), z.maximum(10_000)) }),
  z
    .strictObject({
      mode: z.literal("percent"),
      cpuPercent: z._default(z.number().check(z.minimum(0), z.maximum(1000)), 0),
      memoryPercent: z._default(z.number().check(z.minimum(0), z.maximum(1000)), 0),
    })
    .check(z.refine((s) => s.cpuPercent > 0 || s.memoryPercent > 0, "set cpuPercent or memoryPercent")),
  z
    .strictObject({
      mode: z.literal("linear"),
      coresPerUnit: z.optional(z.number().check(z.positive())),
      nodesPerUnit: z.optional(z.number().check(z.positive())),
      min: z._default(z.number().check(z.int(), z.minimum(0)), 0),
      max: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10_000)), 10_000),
      preventSinglePointFailure: z._default(z.boolean(), false),
    })
    .check(
      z.refine((s) => s.coresPerUnit !== undefined || s.nodesPerUnit !== undefined, "set coresPerUnit or nodesPerUnit"),
    ),
  z
    .strictObject({ mode: z.literal("ladder"), coresToUnits: z.optional(steps), nodesToUnits: z.optional(steps) })
    .check(
      z.refine((s) => s.coresToUnits !== undefined || s.nodesToUnits !== undefined, "set coresToUnits or nodesToUnits"),
    ),
]);
export type Sizing = z.infer<typeof sizingSchema>;

/** Placeholder pods of negative priority: the scheduler preempts them the moment real pods need the room. */
export const headroomSchema = z.strictObject({
  namespace: name,
  /** The placeholder Deployment; created on first use when missing. */
  name,
  priorityClassName: z._default(z.string().check(z.minLength(1)), "harbormaster-headroom"),
  unit: z.strictObject({ cpu: quantity, memory: quantity }),
  /** The nodes whose capacity counts, and where placeholders go. */
  nodeSelector: z._default(z.record(z.string(), z.string()), {}),
  sizing: sizingSchema,
});
export type HeadroomSpec = z.infer<typeof headroomSchema>;

export const policySchema = z
  .strictObject({
    name,
    /** The clusters whose targets and headroom it holds; required when the function serves more than one. */
    clusters: z.optional(
      z.array(z.string().check(z.regex(/^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/, "a cluster name"))).check(z.minLength(1)),
    ),
    /** CloudWatch alarm names: ALARM raises, OK restores after the cooldown. */
    alarms: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(255))), []),
    windows: z._default(z.array(windowSchema), []),
    targets: z._default(z.array(targetSchema), []),
    floor: z.optional(floorSchema),
    /** "respect": the floor is capped at maxReplicas (and the cap reported); "raise": maxReplicas follows it. */
    maxReplicas: z._default(z.enum(["respect", "raise"]), "respect"),
    headroom: z.optional(headroomSchema),
    cooldownMinutes: z._default(z.number().check(z.minimum(0), z.maximum(24 * 60)), 10),
    /** A raise by an alarm ends after this long even when OK never comes. */
    maxDurationMinutes: z._default(z.number().check(z.positive(), z.maximum(7 * 24 * 60)), 240),
  })
  .check(
    z.refine((p) => p.targets.length > 0 || p.headroom, "a policy needs targets or headroom"),
    z.refine((p) => p.targets.length === 0 || p.floor, "targets need a floor rule"),
    z.refine((p) => new Set(p.windows.map((w) => w.name)).size === p.windows.length, "window names must be unique"),
  );
export type Policy = z.infer<typeof policySchema>;

export const policiesSchema = z
  .array(policySchema)
  .check(z.refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, "policy names must be unique"));
