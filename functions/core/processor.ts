import { Action, type ActionTable, actionFor, drains } from "./drain/actions.ts";
import { type DeadlineSettings, deadlineFor } from "./drain/deadline.ts";
import { type DrainOutcome, drainNode } from "./drain/drainer.ts";
import { activeState, cordonChange, progressChange, readState } from "./drain/node-state.ts";
import type { DrainPolicy } from "./drain/policy.ts";
import { LifecycleActionNotFound } from "./errors.ts";
import { Kind } from "./events/kinds.ts";
import type { InterruptionMessage } from "./events/message.ts";
import type { Notification, NotificationBase } from "./notifications.ts";
import type {
  Clock,
  ClusterPort,
  InstanceDirectory,
  LifecyclePort,
  LifecycleResult,
  MetricsPort,
  NodeInfo,
  NotifierPort,
} from "./ports.ts";

export interface ProcessorDeps {
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

/** A paused drain comes back at once; a launch wait gives the node a few seconds to appear. */
const continueDelaySeconds = 1;
const retryDelaySeconds = 5;
const readyPollMs = 1_000;

/** Handles one interruption of one instance, idempotently: safe to run again for the same or an overlapping event. */
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

  const outcome = await withHeartbeat(deps, message, () =>
    drainNode(deps.cluster, deps.clock, node.name, {
      deadline: effectiveDeadline,
      pauseAt,
      policy: deps.policy,
      dryRun: deps.dryRun,
      onProgress: async (progress) => {
        await saveProgress(deps, node.name, {
          phase: "draining",
          evicted: progress.evicted,
          remaining: progress.remaining,
          blocked: progress.blocked.map((b) => `${b.namespace}/${b.name}`),
        });
        if (progress.blocked.length > 0) {
          await notify(
            deps,
            message,
            node,
            {
              type: "drain_blocked",
              blocked: progress.blocked,
              evicted: progress.evicted,
              remaining: progress.remaining,
            },
            threadKey,
          );
        }
      },
    }),
  );
  return finishDrain(deps, message, node, outcome, state?.phase === "drained", threadKey, state?.startedAt);
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
    await saveProgress(deps, node.name, { phase: "draining", evicted: outcome.evicted, remaining: outcome.remaining });
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

// No node for the instance: it is not this cluster's (launches, which wait for their node, never get here).
async function withoutNode(deps: ProcessorDeps, message: InterruptionMessage): Promise<MessageOutcome> {
  // A terminate hook for an instance with no node has nothing to drain; answering lets the ASG go on.
  if (message.kind === Kind.TerminateLifecycle) return completeLifecycle(deps, message, "CONTINUE", "no_node");
  deps.metrics.count("ForeignInstance", { kind: message.kind });
  return { status: "done", result: "foreign_instance" };
}

// A launching instance registers its node within seconds to minutes: wait in this invocation while there
// is time (each requeue costs a receive), then hand over.
async function waitReady(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  deadline: Date,
  pauseAt: number,
): Promise<MessageOutcome> {
  for (;;) {
    const node = await findNode(deps, message.instanceId);
    if (node?.ready) return completeLifecycle(deps, message, "CONTINUE", "ready");
    const now = deps.clock.now();
    if (now >= deadline.getTime())
      return completeLifecycle(deps, message, "ABANDON", node ? "never_ready" : "never_joined");
    if (now >= pauseAt) return { status: "retry", result: "waiting_ready", delaySeconds: retryDelaySeconds };
    await deps.clock.sleep(readyPollMs);
  }
}

async function findNode(deps: ProcessorDeps, instanceId: string): Promise<NodeInfo | undefined> {
  const byProviderId = await deps.cluster.findNode(instanceId);
  if (byProviderId) return byProviderId;
  // Nodes registered without a providerID (or under another name) are found by the instance's DNS names.
  const names = await deps.instances.dnsNames(instanceId);
  return names.length > 0 ? deps.cluster.findNode(instanceId, names) : undefined;
}

async function completeLifecycle(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  result: LifecycleResult,
  why: string,
): Promise<MessageOutcome> {
  if (!message.lifecycle) return { status: "done", result: why };
  if (deps.dryRun) return { status: "done", result: `${why}_dry_run_${result.toLowerCase()}` };
  try {
    await deps.lifecycle.complete(message.lifecycle, message.instanceId, result);
  } catch (error) {
    // Already answered (a duplicate event won the race) or expired: nothing is left to complete.
    if (!(error instanceof LifecycleActionNotFound)) throw error;
    deps.metrics.count("LifecycleActionAlreadyGone", { kind: message.kind });
    return { status: "done", result: `${why}_already_completed` };
  }
  deps.metrics.latency("EventToLifecycleCompleted", deps.clock.now() - message.eventTime.getTime(), {
    kind: message.kind,
  });
  return { status: "done", result: `${why}_${result.toLowerCase()}` };
}

// Heartbeats keep a terminate hook alive while the drain runs, and stop the moment it ends.
async function withHeartbeat<T>(deps: ProcessorDeps, message: InterruptionMessage, work: () => Promise<T>): Promise<T> {
  const action = message.lifecycle;
  if (!action || deps.dryRun) return work();
  const beat = () =>
    deps.lifecycle.heartbeat(action, message.instanceId).catch(() => deps.metrics.count("HeartbeatFailed"));
  await beat();
  const stop = new AbortController();
  const loop = (async () => {
    for (;;) {
      await deps.clock.sleep(deps.heartbeatIntervalMs, stop.signal);
      if (stop.signal.aborted) return;
      await beat();
    }
  })();
  try {
    return await work();
  } finally {
    stop.abort();
    await loop;
  }
}

async function saveProgress(deps: ProcessorDeps, nodeName: string, update: Parameters<typeof progressChange>[1]) {
  if (deps.dryRun) return;
  await deps.cluster.updateNode(nodeName, (node) => progressChange(node, update, new Date(deps.clock.now())));
}

type NotificationBody = Notification extends infer N
  ? N extends Notification
    ? Omit<N, keyof NotificationBase>
    : never
  : never;

async function notify(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  node: NodeInfo | undefined,
  body: NotificationBody,
  threadKey = `${message.instanceId}/${message.eventId}`,
): Promise<void> {
  const base: NotificationBase = {
    threadKey,
    dedupeKey: `${threadKey}/${body.type}${body.type === "drain_blocked" ? `/${body.blocked.map((b) => b.name).join(",")}` : ""}`,
    kind: message.kind,
    instanceId: message.instanceId,
    nodeName: node?.name,
    eventId: message.eventId,
    at: new Date(deps.clock.now()).toISOString(),
  };
  await deps.notifier.publish({ ...base, ...body } as Notification);
}
