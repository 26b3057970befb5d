import { answeredChange, type InterruptionState } from "./drain/node-state.ts";
import { LifecycleActionNotFound } from "./errors.ts";
import type { InterruptionMessage } from "./events/message.ts";
import { findNode } from "./find-node.ts";
import type { LifecycleResult } from "./ports.ts";
import type { MessageOutcome, ProcessorDeps } from "./processor.ts";

const readyPollMs = 1_000;
/** A launch wait that hands over gives the node a few more seconds to appear. */
const retryDelaySeconds = 5;

export async function completeLifecycle(
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

/**
 * A drain that is over, finished by another invocation or by an earlier delivery of this event: nothing is
 * drained or announced again. Only this event's lifecycle action is answered, if nobody has answered it.
 */
export async function answerFinished(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  nodeName: string,
  state: InterruptionState,
): Promise<MessageOutcome> {
  const why = `already_${state.phase}`;
  if (!message.lifecycle || state.answered.includes(message.eventId)) return { status: "done", result: why };
  const result = state.phase === "drained" ? "CONTINUE" : deps.policy.lifecycleOnFailure;
  const outcome = await completeLifecycle(deps, message, result, why);
  if (!deps.dryRun)
    await deps.cluster.updateNode(nodeName, (node) =>
      answeredChange(node, message.eventId, new Date(deps.clock.now())),
    );
  return outcome;
}

// Heartbeats keep a terminate hook alive while the drain runs, and stop the moment it ends.
export async function withHeartbeat<T>(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  work: () => Promise<T>,
): Promise<T> {
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

// A launching instance registers its node within seconds to minutes: wait in this invocation while there
// is time (each requeue costs a receive), then hand over.
export async function waitReady(
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
