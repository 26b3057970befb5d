// One cluster's share of a batch: it races its own deadline, so a cluster that is slow or down holds up no
// other. Within the cluster every node is cordoned first, then each instance's messages run in order.
import { mapLimit } from "./concurrency.ts";
import type { InterruptionMessage } from "./events/message.ts";
import type { Clock, ClusterPort, MetricsPort } from "./ports.ts";
import { cordonFirst, handedOff, type MessageOutcome, type ProcessorDeps, processMessage } from "./processor.ts";

export interface Work {
  record: { messageId: string; body: string };
  message: InterruptionMessage;
}

export interface ClusterRunDeps {
  cluster(name: string): Promise<ProcessorDeps>;
  log: {
    info(message: string, fields: Record<string, unknown>): void;
    error(message: string, fields: Record<string, unknown>): void;
  };
  metrics: MetricsPort;
  clock: Clock;
  groupConcurrency: number;
  /**
   * Where drains have a queue of their own: after the cordon, a drain is put there instead of run here.
   * Warnings want many environments taking them at once, so every node is cordoned within seconds; drains
   * want few, because evictions from many environments race for each budget's status, and the apiserver
   * answers every lost race by sleeping 500 ms.
   */
  handOff?: (records: readonly Work["record"][]) => Promise<void>;
}

export const errorRetrySeconds = 5;
/** SQS takes at most ten messages in one SendMessageBatch. */
const handOverChunk = 10;
/** After `pauseAt`, how long a cluster's work may still run before its records are handed back unanswered. */
const clusterGraceMs = 20_000;

// A cluster's work races its own deadline: records still open then go back to the queue, the others stand.
export async function runCluster<W extends Work>(
  deps: ClusterRunDeps,
  cluster: string,
  groups: W[][],
  pauseAt: number,
  requeue: (record: W["record"], delaySeconds: number) => void,
  /** Aborted when drains should pause before `pauseAt` and go back to the queue (see processMessage). */
  handBack?: AbortSignal,
): Promise<void> {
  const settled = new Set<W>();
  const work = (async () => {
    const clusterDeps = await deps.cluster(cluster);
    await processCluster(
      deps,
      { ...clusterDeps, cluster: countingEvictions(clusterDeps.cluster, deps.metrics) },
      groups,
      pauseAt,
      (w, delay) => {
        settled.add(w);
        if (delay !== undefined) requeue(w.record, delay);
      },
      handBack,
    );
  })();
  const timer = deadline(deps.clock, pauseAt + clusterGraceMs);
  const outcome = await Promise.race([
    work.then(
      () => "done" as const,
      (error: unknown) => error,
    ),
    timer.promise.then(() => "late" as const),
  ]);
  timer.cancel();
  if (outcome === "done") return;
  deps.log.error(
    outcome === "late"
      ? "cluster too slow; its records go back to the queue"
      : "cluster failed; its records will be retried",
    {
      cluster,
      error: outcome === "late" ? undefined : String(outcome),
    },
  );
  deps.metrics.count("ClusterUnavailable", { cluster });
  for (const group of groups) for (const w of group) if (!settled.has(w)) requeue(w.record, errorRetrySeconds);
}

/** Every node of the cluster is cordoned before any drain starts (see cordonFirst), then each instance's messages run in order. */
async function processCluster<W extends Work>(
  deps: ClusterRunDeps,
  cluster: ProcessorDeps,
  groups: W[][],
  pauseAt: number,
  settle: (work: W, delaySeconds?: number) => void,
  handBack: AbortSignal | undefined,
) {
  const startedEarlier = new Set<InterruptionMessage>();
  await mapLimit(groups, deps.groupConcurrency, async ([first]) => {
    if (first && (await cordonFirst(cluster, first.message).catch(() => false))) startedEarlier.add(first.message);
  });
  // Drains handed over go to the drain queue together, ten to a call, once the whole batch is cordoned.
  const handedOver: W[] = [];
  await mapLimit(groups, deps.groupConcurrency, async (group) => {
    for (const work of group) {
      const { record, message } = work;
      const fields = {
        messageId: record.messageId,
        eventId: message.eventId,
        instanceId: message.instanceId,
        kind: message.kind,
        cluster: cluster.clusterName,
      };
      let outcome: MessageOutcome;
      try {
        outcome = await processMessage(cluster, message, pauseAt, {
          startedEarlier: startedEarlier.has(message),
          handOff: deps.handOff !== undefined,
          handBack,
        });
      } catch (error) {
        deps.log.error("message failed; it will be retried", {
          ...fields,
          error: error instanceof Error ? error.message : String(error),
        });
        // Soon, not after the queue's visibility timeout: that is longer than a spot warning.
        settle(work, errorRetrySeconds);
        continue;
      }
      deps.log.info("message handled", { ...fields, status: outcome.status, result: outcome.result });
      if (outcome.result === handedOff) handedOver.push(work);
      else settle(work, outcome.status === "retry" ? outcome.delaySeconds : undefined);
    }
  });
  if (deps.handOff && handedOver.length > 0) await handOver(deps, deps.handOff, handedOver, settle);
}

// A chunk that could not be handed over stays on this queue, its node cordoned, and comes back soon.
async function handOver<W extends Work>(
  deps: ClusterRunDeps,
  send: (records: readonly W["record"][]) => Promise<void>,
  works: readonly W[],
  settle: (work: W, delaySeconds?: number) => void,
) {
  const chunks: W[][] = [];
  for (let i = 0; i < works.length; i += handOverChunk) chunks.push(works.slice(i, i + handOverChunk));
  await Promise.all(
    chunks.map(async (chunk) => {
      try {
        await send(chunk.map((w) => w.record));
        for (const w of chunk) settle(w);
      } catch (error) {
        deps.log.error("drains not handed over; their messages will be retried", {
          messageIds: chunk.map((w) => w.record.messageId),
          error: error instanceof Error ? error.message : String(error),
        });
        for (const w of chunk) settle(w, errorRetrySeconds);
      }
    }),
  );
}

function deadline(clock: Clock, at: number) {
  const stop = new AbortController();
  return {
    promise: clock.sleep(Math.max(0, at - clock.now()), stop.signal),
    cancel: () => stop.abort(),
  };
}

function countingEvictions(cluster: ClusterPort, metrics: MetricsPort): ClusterPort {
  return {
    findNode: (...args) => cluster.findNode(...args),
    findNodeByName: (...args) => cluster.findNodeByName(...args),
    updateNode: (...args) => cluster.updateNode(...args),
    deleteNode: (...args) => cluster.deleteNode(...args),
    listPods: (...args) => cluster.listPods(...args),
    deletePod: (...args) => cluster.deletePod(...args),
    evict: async (pod, notAfter, stop) => {
      const result = await cluster.evict(pod, notAfter, stop);
      metrics.count("Evictions", { result: result.outcome });
      return result;
    },
  };
}
