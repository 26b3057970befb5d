import { z } from "zod";
import { isQuantity } from "./quantity.ts";
import { windowSchema } from "./windows.ts";

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "lowercase letters, digits and dashes");
const quantity = z.string().refine(isQuantity, "a Kubernetes quantity such as 500m, 2 or 1Gi");

/** An HPA, or the KEDA ScaledObject that owns one (KEDA would undo a change made to its HPA). */
export const targetSchema = z.strictObject({
  kind: z.enum(["HorizontalPodAutoscaler", "ScaledObject"]).default("HorizontalPodAutoscaler"),
  namespace: name,
  name: z.string().min(1).max(253),
});
export type TargetRef = z.infer<typeof targetSchema>;

/** How the floor (minReplicas) is raised, from the replicas running when the trigger arrives. */
export const floorSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("absolute"), replicas: z.number().int().min(1) }),
  z.strictObject({ mode: z.literal("multiply"), factor: z.number().gt(1).max(100) }),
  z.strictObject({ mode: z.literal("add"), replicas: z.number().int().min(1) }),
]);
export type FloorRule = z.infer<typeof floorSchema>;

const steps = z
  .array(z.tuple([z.number().min(0), z.number().int().min(0)]))
  .min(1)
  .refine((s) => s.every((step, i) => i === 0 || step[0] > (s[i - 1]?.[0] ?? 0)), "thresholds must increase");

/**
 * How many headroom units to hold: Ocean's manual headroom (units), its automatic headroom (a share of
 * what pods request), or cluster-proportional-autoscaler's linear and ladder modes (nodes and cores).
 */
export const sizingSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("units"), units: z.number().int().min(0).max(10_000) }),
  z
    .strictObject({
      mode: z.literal("percent"),
      cpuPercent: z.number().min(0).max(1000).default(0),
      memoryPercent: z.number().min(0).max(1000).default(0),
    })
    .refine((s) => s.cpuPercent > 0 || s.memoryPercent > 0, "set cpuPercent or memoryPercent"),
  z
    .strictObject({
      mode: z.literal("linear"),
      coresPerUnit: z.number().positive().optional(),
      nodesPerUnit: z.number().positive().optional(),
      min: z.number().int().min(0).default(0),
      max: z.number().int().min(0).max(10_000).default(10_000),
      preventSinglePointFailure: z.boolean().default(false),
    })
    .refine((s) => s.coresPerUnit !== undefined || s.nodesPerUnit !== undefined, "set coresPerUnit or nodesPerUnit"),
  z
    .strictObject({ mode: z.literal("ladder"), coresToUnits: steps.optional(), nodesToUnits: steps.optional() })
    .refine((s) => s.coresToUnits !== undefined || s.nodesToUnits !== undefined, "set coresToUnits or nodesToUnits"),
]);
export type Sizing = z.infer<typeof sizingSchema>;

/** Placeholder pods of negative priority: the scheduler preempts them the moment real pods need the room. */
export const headroomSchema = z.strictObject({
  namespace: name,
  /** The placeholder Deployment; created on first use when missing. */
  name,
  priorityClassName: z.string().min(1).default("harbormaster-headroom"),
  unit: z.strictObject({ cpu: quantity, memory: quantity }),
  /** The nodes whose capacity counts, and where placeholders go. */
  nodeSelector: z.record(z.string(), z.string()).default({}),
  sizing: sizingSchema,
});
export type HeadroomSpec = z.infer<typeof headroomSchema>;

export const policySchema = z
  .strictObject({
    name,
    /** CloudWatch alarm names: ALARM raises, OK restores after the cooldown. */
    alarms: z.array(z.string().min(1).max(255)).default([]),
    windows: z.array(windowSchema).default([]),
    targets: z.array(targetSchema).default([]),
    floor: floorSchema.optional(),
    /** "respect": the floor is capped at maxReplicas (and the cap reported); "raise": maxReplicas follows it. */
    maxReplicas: z.enum(["respect", "raise"]).default("respect"),
    headroom: headroomSchema.optional(),
    cooldownMinutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .default(10),
    /** A raise by an alarm ends after this long even when OK never comes. */
    maxDurationMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(240),
  })
  .refine((p) => p.targets.length > 0 || p.headroom, "a policy needs targets or headroom")
  .refine((p) => p.targets.length === 0 || p.floor, "targets need a floor rule")
  .refine((p) => new Set(p.windows.map((w) => w.name)).size === p.windows.length, "window names must be unique");
export type Policy = z.infer<typeof policySchema>;

export const policiesSchema = z
  .array(policySchema)
  .refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, "policy names must be unique");
