import type { Kind } from "../events/kinds.ts";
import type { InterruptionMessage } from "../events/message.ts";
import type { NodeChange, NodeInfo, Taint } from "../ports.ts";
import * as z from "../zod.ts";

export const stateAnnotation = "harbormaster.io/interruption";
export const excludeFromLoadBalancers = "node.kubernetes.io/exclude-from-external-load-balancers";

export function taintFor(kind: Kind): Taint {
  return { key: `harbormaster.io/${kind}`, value: "true", effect: "NoSchedule" };
}

const stateSchema = z.object({
  instanceId: z.string(),
  /** The first event: it names the notification thread, whichever events follow. */
  eventId: z.string(),
  eventIds: z.array(z.string()),
  kinds: z.array(z.string()),
  startedAt: z.string(),
  deadline: z.string(),
  phase: z.enum(["cordoned", "draining", "drained", "failed"]),
  evicted: z._default(z.number(), 0),
  remaining: z._default(z.number(), 0),
  blocked: z._default(z.array(z.string()), []),
  /** Pod UID → when a budget first refused it (ISO), so the policy's allowance survives a requeue. */
  blockedSince: z._default(z.record(z.string(), z.string()), {}),
  updatedAt: z.string(),
});
export type InterruptionState = z.infer<typeof stateSchema>;

/** The state a node carries, or undefined when it carries none (or something we cannot read). */
export function readState(node: NodeInfo): InterruptionState | undefined {
  const raw = node.annotations[stateAnnotation];
  if (!raw) return undefined;
  try {
    return stateSchema.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

/**
 * Cordon, taint and annotate for one message; merges with whatever an earlier event for the same
 * instance wrote, so duplicates and overlapping kinds make one interruption. Other taints are kept.
 */
/**
 * The interruption in progress on a node. One whose deadline has passed is over (a rebalance that was only
 * cordoned, a drain that finished): a new event starts a new one, with its own deadline and thread.
 */
export function activeState(node: NodeInfo, now: Date): InterruptionState | undefined {
  const stored = readState(node);
  return stored && Date.parse(stored.deadline) > now.getTime() ? stored : undefined;
}

export function cordonChange(node: NodeInfo, message: InterruptionMessage, deadline: Date, now: Date) {
  const stored = readState(node);
  const existing = activeState(node, now);
  const taint = taintFor(message.kind);
  const hasTaint = node.taints.some((t) => t.key === taint.key && t.effect === taint.effect);
  if (stored?.eventIds.includes(message.eventId) && hasTaint && node.unschedulable) return undefined;

  const earliest =
    existing && Date.parse(existing.deadline) < deadline.getTime() ? existing.deadline : deadline.toISOString();
  const state: InterruptionState = existing
    ? {
        ...existing,
        eventIds: [...new Set([...existing.eventIds, message.eventId])].slice(-20),
        kinds: [...new Set([...existing.kinds, message.kind])],
        deadline: earliest,
        updatedAt: now.toISOString(),
      }
    : {
        instanceId: message.instanceId,
        eventId: message.eventId,
        eventIds: [message.eventId],
        kinds: [message.kind],
        startedAt: now.toISOString(),
        deadline: deadline.toISOString(),
        phase: "cordoned",
        evicted: 0,
        remaining: 0,
        blocked: [],
        blockedSince: {},
        updatedAt: now.toISOString(),
      };
  const change: NodeChange = {
    unschedulable: true,
    taints: hasTaint ? node.taints : [...node.taints, taint],
    labels: { [excludeFromLoadBalancers]: "true" },
    annotations: { [stateAnnotation]: JSON.stringify(state) },
  };
  return change;
}

export function progressChange(node: NodeInfo, update: Partial<InterruptionState>, now: Date): NodeChange | undefined {
  const state = readState(node);
  if (!state) return undefined;
  // A finished drain stays finished: a late duplicate must not reopen it.
  if (state.phase === "drained" && update.phase !== "drained") return undefined;
  const next = { ...state, ...update, updatedAt: now.toISOString() };
  return { annotations: { [stateAnnotation]: JSON.stringify(next) } };
}

/** The saved blockedSince of a state, as epoch milliseconds. */
export function blockedSinceOf(state: InterruptionState | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(state?.blockedSince ?? {}).map(([uid, at]) => [uid, Date.parse(at)]));
}

export function blockedSinceIso(blockedSince: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(blockedSince).map(([uid, at]) => [uid, new Date(at).toISOString()]));
}
