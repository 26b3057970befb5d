import { Action, type ActionTable, actionFor, drains } from "./drain/actions.ts";
import { type DeadlineSettings, deadlineFor } from "./drain/deadline.ts";
import { type DrainOutcome, drainNode } from "./drain/drainer.ts";
import {
  activeState,
  blockedSinceIso,
  blockedSinceOf,
  cordonChange,
  progressChange,
  readState,
} from "./drain/node-state.ts";
import type { DrainPolicy } from "./drain/policy.ts";
import { Kind } from "./events/kinds.ts";
import type { InterruptionMessage } from "./events/message.ts";
import { findNode } from "./find-node.ts";
import { completeLifecycle, waitReady, withHeartbeat } from "./lifecycle.ts";
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
}

export type MessageOutcome =
  | { status: "done"; result: string }
  /** Not finished in this invocation: the message comes back after `delaySeconds`. */
  | { status: "retry"; result: string; delaySeconds: number };

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

/** Handles one interruption of one instance, idempotently: safe to run again for the same or an overlapping event. */
export async function processMessage(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  pauseAt: number,
  /** True when cordonFirst already started this interruption (so its start is still announced). */
  startedEarlier = false,
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
      return cordonAndMaybeDrain(deps, message, node, action, deadline, pauseAt, startedEarlier);
  }
}

async function cordonAndMaybeDrain(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  found: NodeInfo,
  action: Action,
  deadline: Date,
  pauseAt: number,
  startedEarlier: boolean,
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
  // Evictions of earlier invocations of this drain, so the counts on the node and in Slack are the whole drain's.
  const evictedBefore = state?.phase === "draining" ? state.evicted : 0;

  const outcome = await withHeartbeat(deps, message, () =>
    drainNode(deps.cluster, deps.clock, node.name, {
      deadline: effectiveDeadline,
      pauseAt,
      policy: deps.policy,
      blockedSince: blockedSinceOf(state),
      dryRun: deps.dryRun,
      onProgress: async (progress) => {
        await saveProgress(deps, node.name, {
          phase: "draining",
          evicted: evictedBefore + progress.evicted,
          remaining: progress.remaining,
          blocked: progress.blocked.map((b) => `${b.namespace}/${b.name}`),
          blockedSince: blockedSinceIso(progress.blockedSince),
        });
        if (progress.blocked.length > 0) {
          await notify(
            deps,
            message,
            node,
            {
              type: "drain_blocked",
              blocked: progress.blocked,
              evicted: evictedBefore + progress.evicted,
              remaining: progress.remaining,
            },
            threadKey,
          );
        }
      },
    }),
  );
  const total = { ...outcome, evicted: evictedBefore + outcome.evicted };
  return finishDrain(deps, message, node, total, state?.phase === "drained", threadKey, state?.startedAt);
}

// One guarded write; `created` tells whether this write started the interruption (re-read on conflict).
async function cordon(deps: ProcessorDeps, message: InterruptionMessage, found: NodeInfo, deadline: Date) {
  let created = false;
  const node = await deps.cluster.updateNode(found.name, (current) => {
    const now = new Date(deps.clock.now());
    created = !activeState(current, now);
    return cordonChange(current, message, deadline, now);
  });
  if (created)
    deps.metrics.latency("EventToCordon", deps.clock.now() - message.eventTime.getTime(), { kind: message.kind });
  return { node, created };
}

async function finishDrain(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  node: NodeInfo,
  outcome: DrainOutcome,
  alreadyDrained: boolean,
  threadKey: string,
  startedAt: string | undefined,
): Promise<MessageOutcome> {
  if (outcome.status === "paused") {
    await saveProgress(deps, node.name, {
      phase: "draining",
      evicted: outcome.evicted,
      remaining: outcome.remaining,
      blockedSince: blockedSinceIso(outcome.blockedSince),
    });
    return { status: "retry", result: "draining", delaySeconds: continueDelaySeconds };
  }
  if (outcome.status === "drained") {
    deps.metrics.latency("EventToDrained", deps.clock.now() - message.eventTime.getTime(), { kind: message.kind });
    if (!alreadyDrained) {
      await saveProgress(deps, node.name, { phase: "drained", evicted: outcome.evicted, remaining: 0, blocked: [] });
      const durationMs = deps.clock.now() - Date.parse(startedAt ?? message.eventTime.toISOString());
      await notify(
        deps,
        message,
        node,
        { type: "drain_completed", evicted: outcome.evicted, forced: outcome.forced, durationMs },
        threadKey,
      );
    }
    if (message.lifecycle) return completeLifecycle(deps, message, "CONTINUE", "drained");
    return { status: "done", result: "drained" };
  }
  await saveProgress(deps, node.name, {
    phase: "failed",
    remaining: outcome.remaining,
    blocked: outcome.blocked.map((b) => `${b.namespace}/${b.name}`),
  });
  await notify(
    deps,
    message,
    node,
    { type: "drain_failed", reason: outcome.reason, blocked: outcome.blocked },
    threadKey,
  );
  if (message.lifecycle)
    return completeLifecycle(deps, message, deps.policy.lifecycleOnFailure, `drain_${outcome.reason}`);
  return { status: "done", result: `drain_${outcome.reason}` };
}

// The instance is this cluster's (by its ASG or tags) but has no node: it never joined, or its node is
// gone already (launches, which wait for their node, never get here).
async function withoutNode(deps: ProcessorDeps, message: InterruptionMessage): Promise<MessageOutcome> {
  // A terminate hook for an instance with no node has nothing to drain; answering lets the ASG go on.
  if (message.kind === Kind.TerminateLifecycle) return completeLifecycle(deps, message, "CONTINUE", "no_node");
  deps.metrics.count("NoNode", { kind: message.kind });
  return { status: "done", result: "no_node" };
}

async function saveProgress(deps: ProcessorDeps, nodeName: string, update: Parameters<typeof progressChange>[1]) {
  if (deps.dryRun) return;
  await deps.cluster.updateNode(nodeName, (node) => progressChange(node, update, new Date(deps.clock.now())));
}
