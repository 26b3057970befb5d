import { Action, type ActionTable, actionFor, drains } from "./drain/actions.ts";
import { type DeadlineSettings, deadlineFor } from "./drain/deadline.ts";
import { type DrainOutcome, drainNode } from "./drain/drainer.ts";
import {
  activeState,
  blockedSinceIso,
  blockedSinceOf,
  cordonChange,
  type InterruptionState,
  type ProgressUpdate,
  progressChange,
  readState,
  seenEvent,
} from "./drain/node-state.ts";
import type { DrainPolicy } from "./drain/policy.ts";
import { claimDrain, type LeaseHandle, releaseDrain, withLease } from "./drain-lease.ts";
import { Kind } from "./events/kinds.ts";
import type { InterruptionMessage } from "./events/message.ts";
import { findNode } from "./find-node.ts";
import { answerFinished, completeLifecycle, waitReady, withHeartbeat } from "./lifecycle.ts";
import { notify } from "./notify.ts";
import type {
  Clock,
  ClusterPort,
  InstanceDirectory,
  LifecyclePort,
  MetricsPort,
  NodeInfo,
  NotifierPort,
} from "./ports.ts";

/** Everything one cluster's messages are processed with: each cluster has its own. */
export interface ProcessorDeps {
  /** The Harbormaster name of the cluster: notifications and logs carry it. */
  clusterName: string;
  cluster: ClusterPort;
  instances: InstanceDirectory;
  lifecycle: LifecyclePort;
  notifier: NotifierPort;
  metrics: MetricsPort;
  clock: Clock;
  actions: ActionTable;
  policy: DrainPolicy;
  deadlines: DeadlineSettings;
  heartbeatIntervalMs: number;
  dryRun: boolean;
  /** A fresh id for each drain attempt: it names the drain's owner on the node (see drain/ownership.ts). */
  newOwnerId: () => string;
}

export type MessageOutcome =
  | { status: "done"; result: string }
  /** Not finished in this invocation: the message comes back after `delaySeconds`. */
  | { status: "retry"; result: string; delaySeconds: number };

/** The result of a message whose drain is to be handed to the drain queue. */
export const handedOff = "handed_off";

/** A paused drain comes back at once. */
const continueDelaySeconds = 1;

/**
 * Cordons the node of a message's instance, if its action cordons, and says whether this call started the
 * interruption. A batch does this for every instance before any drain begins: a hundred drains at once
 * load the apiserver enough to delay the cordons behind them.
 */
export async function cordonFirst(deps: ProcessorDeps, message: InterruptionMessage): Promise<boolean> {
  const action = actionFor(deps.actions, message);
  if (action !== Action.Cordon && action !== Action.CordonAndDrain) return false;
  const node = await findNode(deps, message.instanceId);
  if (!node) return false;
  return (await cordon(deps, message, node, deadlineFor(message, deps.deadlines))).created;
}

export interface MessageOptions {
  /** True when cordonFirst already started this interruption (so its start is still announced). */
  startedEarlier?: boolean;
  /** The drain runs elsewhere (the drain queue): stop once the node is cordoned and the start announced. */
  handOff?: boolean;
  /** Aborted when the drain should pause now and go back to the queue, as at `pauseAt`. */
  handBack?: AbortSignal;
}

/** Handles one interruption of one instance, idempotently: safe to run again for the same or an overlapping event. */
export async function processMessage(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  pauseAt: number,
  options: MessageOptions = {},
): Promise<MessageOutcome> {
  const action = actionFor(deps.actions, message);
  const deadline = deadlineFor(message, deps.deadlines);

  if (action === Action.Continue) return completeLifecycle(deps, message, "CONTINUE", "continued");
  if (action === Action.WaitReady)
    return withHeartbeat(deps, message, () => waitReady(deps, message, deadline, pauseAt));

  const node = await findNode(deps, message.instanceId);
  if (!node) return withoutNode(deps, message);

  switch (action) {
    case Action.NotifyOnly:
      await notify(deps, message, node, { type: "instance_event", action, detail: `${message.kind} received` });
      return { status: "done", result: "notified" };
    case Action.Cleanup:
      if (!deps.dryRun) await deps.cluster.deleteNode(node.name);
      await notify(deps, message, node, { type: "instance_event", action, detail: `node ${node.name} removed` });
      return { status: "done", result: "cleaned_up" };
    default:
      return cordonAndMaybeDrain(deps, message, node, action, deadline, pauseAt, options);
  }
}

async function cordonAndMaybeDrain(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  found: NodeInfo,
  action: Action,
  deadline: Date,
  pauseAt: number,
  { startedEarlier = false, handOff, handBack }: MessageOptions,
): Promise<MessageOutcome> {
  const { node, created } = await cordon(deps, message, found, deadline);
  const state = readState(node);
  const threadKey = `${message.instanceId}/${state?.eventId ?? message.eventId}`;
  const effectiveDeadline = state ? Date.parse(state.deadline) : deadline.getTime();
  if (created || startedEarlier) {
    await notify(
      deps,
      message,
      node,
      { type: "drain_started", deadline: new Date(effectiveDeadline).toISOString(), action },
      threadKey,
    );
  }
  if (!drains(action)) return { status: "done", result: "cordoned" };
  if (handOff) return { status: "done", result: handedOff };

  // A dry run writes nothing, so it claims nothing: it is one pass the apiserver validates and applies nowhere.
  const ownerId = deps.dryRun ? undefined : deps.newOwnerId();
  const drain = async (before: InterruptionState | undefined, lost?: AbortSignal, lease?: LeaseHandle) => {
    // Evictions of earlier owners of this drain, so the counts on the node and in Slack are the whole drain's.
    const evictedBefore = before?.evicted ?? 0;
    const outcome = await drainNode(deps.cluster, deps.clock, node.name, {
      deadline: effectiveDeadline,
      pauseAt,
      signal: lost && handBack ? AbortSignal.any([lost, handBack]) : (lost ?? handBack),
      policy: deps.policy,
      blockedSince: blockedSinceOf(before),
      dryRun: deps.dryRun,
      onProgress: async (progress) => {
        const saved = await saveProgress(deps, node.name, ownerId, {
          phase: "draining",
          evicted: evictedBefore + progress.evicted,
          remaining: progress.remaining,
          blocked: progress.blocked.map((b) => `${b.namespace}/${b.name}`),
          blockedSince: blockedSinceIso(progress.blockedSince),
        });
        if (saved) lease?.renewed();
        else lease?.lost();
        if (saved && progress.blocked.length > 0) {
          const blocked = progress.blocked;
          const evicted = evictedBefore + progress.evicted;
          const body = { type: "drain_blocked", blocked, evicted, remaining: progress.remaining } as const;
          await notify(deps, message, node, body, threadKey);
        }
      },
    });
    return { ...outcome, evicted: evictedBefore + outcome.evicted };
  };

  try {
    // One look first, outside the heartbeats: a drain that is over needs no call to the lifecycle hook at all.
    const first = ownerId ? await claimDrain(deps, node.name, ownerId, 0) : undefined;
    if (first?.outcome === "finished") return await answerFinished(deps, message, node.name, first.state);
    const step = await withHeartbeat(deps, message, async (): Promise<DrainStep> => {
      if (!ownerId || !first) return { kind: "ran", outcome: await drain(state) };
      const claim = first.outcome === "waiting" ? await claimDrain(deps, node.name, ownerId, pauseAt) : first;
      if (claim.outcome === "finished") return { kind: "finished", state: claim.state };
      if (claim.outcome === "waiting") return { kind: "waiting" };
      // No state to claim in (removed by hand since the cordon): nothing to record either, so just drain.
      if (claim.outcome === "unclaimed") return { kind: "ran", outcome: await drain(state) };
      return {
        kind: "ran",
        outcome: await withLease(deps, node.name, ownerId, (lost, lease) => drain(claim.state, lost, lease)),
      };
    });
    if (step.kind === "waiting")
      return { status: "retry", result: "waiting_for_owner", delaySeconds: continueDelaySeconds };
    if (step.kind === "finished") return await answerFinished(deps, message, node.name, step.state);
    return await finishDrain(deps, message, node, step.outcome, threadKey, state?.startedAt, ownerId);
  } catch (error) {
    // The retry should not wait for this invocation's lease to lapse.
    if (ownerId) await releaseDrain(deps, node.name, ownerId);
    throw error;
  }
}

/** What the drain step came to: this invocation drained, another one finished it, or it is still going. */
type DrainStep =
  | { kind: "ran"; outcome: DrainOutcome }
  | { kind: "finished"; state: InterruptionState }
  | { kind: "waiting" };

// One guarded write; `created` tells whether this write started the interruption (re-read on conflict).
// An event the node has seen never does, even once the stored deadline has passed (a late redelivery).
async function cordon(deps: ProcessorDeps, message: InterruptionMessage, found: NodeInfo, deadline: Date) {
  let created = false;
  const node = await deps.cluster.updateNode(found.name, (current) => {
    const now = new Date(deps.clock.now());
    created = !seenEvent(current, message.eventId) && !activeState(current, now);
    return cordonChange(current, message, deadline, now);
  });
  if (created)
    deps.metrics.latency("EventToCordon", deps.clock.now() - message.eventTime.getTime(), { kind: message.kind });
  return { node, created };
}

// Only the owner gets here. Its lifecycle action is answered before the result is written, and recorded
// with it: a duplicate that sees the result also sees whether its action is still open.
async function finishDrain(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  node: NodeInfo,
  outcome: DrainOutcome,
  threadKey: string,
  startedAt: string | undefined,
  ownerId: string | undefined,
): Promise<MessageOutcome> {
  if (outcome.status === "paused") {
    await saveProgress(deps, node.name, ownerId, {
      phase: "draining",
      evicted: outcome.evicted,
      remaining: outcome.remaining,
      blockedSince: blockedSinceIso(outcome.blockedSince),
      release: true,
    });
    return { status: "retry", result: "draining", delaySeconds: continueDelaySeconds };
  }
  const answered = message.lifecycle ? message.eventId : undefined;
  if (outcome.status === "drained") {
    deps.metrics.latency("EventToDrained", deps.clock.now() - message.eventTime.getTime(), { kind: message.kind });
    const answer = await completeLifecycle(deps, message, "CONTINUE", "drained");
    const update: ProgressUpdate = {
      phase: "drained",
      evicted: outcome.evicted,
      remaining: 0,
      blocked: [],
      release: true,
      answered,
    };
    if (await saveProgress(deps, node.name, ownerId, update)) {
      const durationMs = deps.clock.now() - Date.parse(startedAt ?? message.eventTime.toISOString());
      const body = { type: "drain_completed", evicted: outcome.evicted, forced: outcome.forced, durationMs } as const;
      await notify(deps, message, node, body, threadKey);
    }
    return answer;
  }
  const answer = await completeLifecycle(deps, message, deps.policy.lifecycleOnFailure, `drain_${outcome.reason}`);
  const blocked = outcome.blocked.map((b) => `${b.namespace}/${b.name}`);
  const update: ProgressUpdate = { phase: "failed", remaining: outcome.remaining, blocked, release: true, answered };
  if (await saveProgress(deps, node.name, ownerId, update)) {
    const body = { type: "drain_failed", reason: outcome.reason, blocked: outcome.blocked } as const;
    await notify(deps, message, node, body, threadKey);
  }
  return answer;
}

// The instance is this cluster's (by its ASG or tags) but has no node: it never joined, or its node is
// gone already (launches, which wait for their node, never get here).
async function withoutNode(deps: ProcessorDeps, message: InterruptionMessage): Promise<MessageOutcome> {
  // A terminate hook for an instance with no node has nothing to drain; answering lets the ASG go on.
  if (message.kind === Kind.TerminateLifecycle) return completeLifecycle(deps, message, "CONTINUE", "no_node");
  deps.metrics.count("NoNode", { kind: message.kind });
  return { status: "done", result: "no_node" };
}

/** Writes the owner's progress; false when the node refused it (this invocation no longer owns the drain). */
async function saveProgress(
  deps: ProcessorDeps,
  nodeName: string,
  ownerId: string | undefined,
  update: ProgressUpdate,
): Promise<boolean> {
  if (deps.dryRun) return true;
  let written = false;
  await deps.cluster.updateNode(nodeName, (node) => {
    const change = progressChange(node, update, new Date(deps.clock.now()), ownerId);
    written = change !== undefined;
    return change;
  });
  return written;
}
