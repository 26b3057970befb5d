import type { Kind } from "../events/kinds.ts";
import type { InterruptionMessage } from "../events/message.ts";
import type { NodeChange, NodeInfo, Taint } from "../ports.ts";
import * as z from "../zod.ts";

/**
 * How long a drain's claim holds without renewal: how long a dead owner delays a copy of its message that
 * is already waiting. A dead owner's own message comes back only after the queue's visibility timeout,
 * minutes later, so the lease need not be short. Every renewal is a write of the Node, which every node
 * watcher (scheduler, controllers, kubelet) receives: at 300 lost nodes, 15 s leases renewed every 5 s made
 * 4,315 node writes, and the pods they slowed down were the budgets' replacements.
 */
export const leaseMs = 45_000;

export function leaseFor(ownerId: string, now: Date) {
  return { id: ownerId, until: new Date(now.getTime() + leaseMs).toISOString() };
}

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
  /** The one invocation that drains, and until when its claim holds unless renewed (see ownership.ts). */
  owner: z.optional(z.object({ id: z.string(), until: z.string() })),
  /** Events whose lifecycle action has been answered: a duplicate of one never answers it again. */
  answered: z._default(z.array(z.string()), []),
});
export type InterruptionState = z.infer<typeof stateSchema>;

/** A drain that ended, either way: only an event the node has not seen, after the deadline, starts another. */
export function finished(state: InterruptionState): boolean {
  return state.phase === "drained" || state.phase === "failed";
}

/** Events are remembered across interruptions, so a redelivery is known for what it is (up to this many). */
const eventMemory = 20;

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
 * The interruption in progress on a node. One whose deadline has passed is over (a rebalance that was only
 * cordoned, a drain that finished): a new event starts a new one, with its own deadline and thread.
 */
export function activeState(node: NodeInfo, now: Date): InterruptionState | undefined {
  const stored = readState(node);
  return stored && Date.parse(stored.deadline) > now.getTime() ? stored : undefined;
}

/** Whether the node has taken in this event before, in this interruption or an earlier one. */
export function seenEvent(node: NodeInfo, eventId: string): boolean {
  return readState(node)?.eventIds.includes(eventId) ?? false;
}

/**
 * Cordon, taint and annotate for one message; merges with whatever an earlier event for the same
 * instance wrote, so duplicates and overlapping kinds make one interruption. Other taints are kept.
 * An event the node has seen never starts an interruption, however late it is redelivered.
 */
export function cordonChange(node: NodeInfo, message: InterruptionMessage, deadline: Date, now: Date) {
  const stored = readState(node);
  const existing = activeState(node, now);
  const taint = taintFor(message.kind);
  const hasTaint = node.taints.some((t) => t.key === taint.key && t.effect === taint.effect);
  if (seenEvent(node, message.eventId) && (!existing || (hasTaint && node.unschedulable))) return undefined;

  const eventIds = [...new Set([...(stored?.eventIds ?? []), message.eventId])].slice(-eventMemory);
  const earliest =
    existing && Date.parse(existing.deadline) < deadline.getTime() ? existing.deadline : deadline.toISOString();
  const state: InterruptionState = existing
    ? {
        ...existing,
        eventIds,
        kinds: [...new Set([...existing.kinds, message.kind])],
        deadline: earliest,
        updatedAt: now.toISOString(),
      }
    : {
        instanceId: message.instanceId,
        eventId: message.eventId,
        eventIds,
        kinds: [message.kind],
        startedAt: now.toISOString(),
        deadline: deadline.toISOString(),
        phase: "cordoned",
        evicted: 0,
        remaining: 0,
        blocked: [],
        blockedSince: {},
        updatedAt: now.toISOString(),
        answered: stored?.answered ?? [],
      };
  const change: NodeChange = {
    unschedulable: true,
    taints: hasTaint ? node.taints : [...node.taints, taint],
    labels: { [excludeFromLoadBalancers]: "true" },
    annotations: { [stateAnnotation]: JSON.stringify(state) },
  };
  return change;
}

export type ProgressUpdate = Partial<
  Pick<InterruptionState, "phase" | "evicted" | "remaining" | "blocked" | "blockedSince">
> & {
  /** Ends the writer's claim (a pause or the result): the next invocation need not wait for its lease. */
  release?: boolean;
  /** An event whose lifecycle action the writer has answered. */
  answered?: string;
};

/**
 * The drain owner's progress. A writer that no longer owns the drain (its lease lapsed and another took
 * over) writes nothing; counts only go up, so no writer can undo another's evictions.
 */
export function progressChange(
  node: NodeInfo,
  update: ProgressUpdate,
  now: Date,
  ownerId: string | undefined,
): NodeChange | undefined {
  const state = readState(node);
  if (!state) return undefined;
  if (state.owner?.id !== ownerId) return undefined;
  // A finished drain stays finished: a late duplicate must not reopen it.
  if (state.phase === "drained" && update.phase !== "drained") return undefined;
  const { release, answered, ...fields } = update;
  const next: InterruptionState = {
    ...state,
    ...fields,
    evicted: Math.max(state.evicted, fields.evicted ?? 0),
    answered: answered ? [...new Set([...state.answered, answered])].slice(-eventMemory) : state.answered,
    // The owner's own save extends its lease: the drain is alive, so no separate renewal is needed.
    owner: release ? undefined : state.owner && ownerId ? leaseFor(ownerId, now) : state.owner,
    updatedAt: now.toISOString(),
  };
  return withState(next);
}

/** Records a lifecycle answer given by an invocation that did not drain (it waited for the owner's result). */
export function answeredChange(node: NodeInfo, eventId: string, now: Date): NodeChange | undefined {
  const state = readState(node);
  if (!state || state.answered.includes(eventId)) return undefined;
  return withState({
    ...state,
    answered: [...state.answered, eventId].slice(-eventMemory),
    updatedAt: now.toISOString(),
  });
}

export function withState(state: InterruptionState): NodeChange {
  return { annotations: { [stateAnnotation]: JSON.stringify(state) } };
}

/** The saved blockedSince of a state, as epoch milliseconds. */
export function blockedSinceOf(state: InterruptionState | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(state?.blockedSince ?? {}).map(([uid, at]) => [uid, Date.parse(at)]));
}

export function blockedSinceIso(blockedSince: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(blockedSince).map(([uid, at]) => [uid, new Date(at).toISOString()]));
}
