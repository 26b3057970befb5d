import { mapLimit } from "./concurrency.ts";
import type { InterruptionMessage } from "./events/message.ts";
import { parseBody } from "./events/registry.ts";
import type { Clock, ClusterPort, MetricsPort } from "./ports.ts";
import { cordonFirst, type MessageOutcome, type ProcessorDeps, processMessage } from "./processor.ts";
import type { Route, RouteRequest } from "./routing/router.ts";

export interface QueueRecord {
  messageId: string;
  body: string;
  receiptHandle: string;
  /** ARN of the queue the record came from. */
  queueArn: string;
  /** How often SQS has delivered this message (ApproximateReceiveCount), this delivery included. */
  receiveCount: number;
}

export interface QueuePort {
  /** Moves a message nobody can process to the dead-letter queue, with the reason. */
  deadLetter(record: QueueRecord, reason: string): Promise<void>;
  /** Hides the message for `delaySeconds`, after which it is delivered again. */
  requeue(record: QueueRecord, delaySeconds: number): Promise<void>;
  /** Puts a fresh copy of the message (receive count 0) on its queue, delivered after `delaySeconds`. */
  resend(record: QueueRecord, delaySeconds: number): Promise<void>;
}

export interface BatchLog {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface BatchDeps {
  /** Routes each instance to the configured cluster that owns it. */
  router: { route(requests: readonly RouteRequest[]): Promise<Map<string, Route>> };
  /** The cluster's processing dependencies, built on first use (its connection may fail on its own). */
  cluster(name: string): Promise<ProcessorDeps>;
  queue: QueuePort;
  log: BatchLog;
  metrics: MetricsPort;
  clock: Clock;
  groupConcurrency: number;
  /** The queue's redrive maxReceiveCount: a message received that often goes to the DLQ when it fails again. */
  maxReceiveCount: number;
  /** Instances already logged as foreign in this environment: each is logged once. */
  foreignLogged?: Set<string>;
}

const errorRetrySeconds = 5;
/** After `pauseAt`, how long a cluster's work may still run before its records are handed back unanswered. */
const clusterGraceMs = 20_000;

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

interface Work {
  record: QueueRecord;
  message: InterruptionMessage;
}

type Requeue = (record: QueueRecord, delaySeconds: number) => void;

/**
 * One SQS batch. Records that need no more work are reported done (Lambda deletes them); the others are
 * partial-batch failures. Each instance is routed to its cluster; clusters run side by side, each with its
 * own deadline, so one that is slow or down holds up no other. Within a cluster, messages about one
 * instance run one after the other, instances in parallel.
 */
export async function processBatch(
  deps: BatchDeps,
  records: readonly QueueRecord[],
  pauseAt: number,
): Promise<BatchResult> {
  const failed = new Set<string>();
  const delays = new Map<string, number>();
  const requeue: Requeue = (record, delaySeconds) =>
    delays.set(record.messageId, Math.min(delays.get(record.messageId) ?? Number.MAX_SAFE_INTEGER, delaySeconds));
  const byInstance = await parseRecords(deps, records, failed);

  const routes = await deps.router.route(
    [...byInstance].map(([instanceId, work]) => ({
      instanceId,
      groupName: work.find((w) => w.message.lifecycle)?.message.lifecycle?.groupName,
    })),
  );
  const byCluster = new Map<string, Work[][]>();
  for (const [instanceId, work] of byInstance) {
    const route = routes.get(instanceId) ?? { status: "foreign" };
    if (route.status === "routed") {
      byCluster.set(route.cluster, [...(byCluster.get(route.cluster) ?? []), work]);
    } else if (route.status === "unreachable") {
      deps.log.error("instance not routed: a cluster could not be asked; it will be retried", {
        instanceId,
        clusters: route.clusters,
        error: route.error,
      });
      for (const { record } of work) requeue(record, errorRetrySeconds);
    } else {
      foreign(deps, instanceId, work, route.eksCluster);
    }
  }

  await Promise.all([...byCluster].map(([cluster, groups]) => runCluster(deps, cluster, groups, pauseAt, requeue)));

  for (const record of records) {
    const delay = delays.get(record.messageId);
    if (delay === undefined || failed.has(record.messageId)) continue;
    if (await handOver(deps, record, delay)) continue;
    failed.add(record.messageId);
    // If the visibility change fails, the message still returns, after the queue's own timeout.
    await deps.queue.requeue(record, delay).catch((error: unknown) => {
      deps.metrics.count("RequeueFailed");
      deps.log.error("could not shorten the message's visibility", {
        messageId: record.messageId,
        error: String(error),
      });
    });
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

// A cluster's work races its own deadline: records still open then go back to the queue, the others stand.
async function runCluster(
  deps: BatchDeps,
  cluster: string,
  groups: Work[][],
  pauseAt: number,
  requeue: Requeue,
): Promise<void> {
  const settled = new Set<Work>();
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

async function parseRecords(deps: BatchDeps, records: readonly QueueRecord[], failed: Set<string>) {
  const byInstance = new Map<string, Work[]>();
  for (const record of records) {
    const parsed = parseBody(record.body);
    if (parsed.outcome === "malformed") {
      deps.metrics.count("Messages", { kind: "malformed" });
      deps.log.error("malformed message, sent to the dead-letter queue", {
        messageId: record.messageId,
        reason: parsed.error,
      });
      await deps.queue.deadLetter(record, parsed.error).catch((error: unknown) => {
        deps.log.error("dead-lettering failed; the message will be retried", {
          messageId: record.messageId,
          error: String(error),
        });
        failed.add(record.messageId);
      });
      continue;
    }
    if (parsed.outcome === "ignored") {
      deps.metrics.count("Messages", { kind: parsed.kind });
      deps.log.info("message needs no action", {
        messageId: record.messageId,
        kind: parsed.kind,
        reason: parsed.reason,
      });
      continue;
    }
    for (const message of parsed.messages) {
      deps.metrics.count("Messages", { kind: message.kind });
      const work = byInstance.get(message.instanceId) ?? [];
      work.push({ record, message });
      byInstance.set(message.instanceId, work);
    }
  }
  return byInstance;
}

// Not any configured cluster's: deleted at once, counted, and logged once per instance and environment.
function foreign(deps: BatchDeps, instanceId: string, work: Work[], eksCluster: string | undefined) {
  for (const { message } of work) deps.metrics.count("ForeignInstance", { kind: message.kind });
  if (deps.foreignLogged?.has(instanceId)) return;
  deps.foreignLogged?.add(instanceId);
  deps.log.info("instance of no configured cluster; its messages are deleted", {
    instanceId,
    eksCluster,
    messageIds: work.map((w) => w.record.messageId),
  });
}

/** Every node of the cluster is cordoned before any drain starts (see cordonFirst), then each instance's messages run in order. */
async function processCluster(
  deps: BatchDeps,
  cluster: ProcessorDeps,
  groups: Work[][],
  pauseAt: number,
  settle: (work: Work, delaySeconds?: number) => void,
) {
  const startedEarlier = new Set<InterruptionMessage>();
  await mapLimit(groups, deps.groupConcurrency, async ([first]) => {
    if (first && (await cordonFirst(cluster, first.message).catch(() => false))) startedEarlier.add(first.message);
  });
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
        outcome = await processMessage(cluster, message, pauseAt, startedEarlier.has(message));
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
      settle(work, outcome.status === "retry" ? outcome.delaySeconds : undefined);
    }
  });
}

function deadline(clock: Clock, at: number) {
  const stop = new AbortController();
  return {
    promise: clock.sleep(Math.max(0, at - clock.now()), stop.signal),
    cancel: () => stop.abort(),
  };
}

/**
 * A drain may outlive many invocations (a Health event days ahead, a budget that blocks for a long time).
 * Each retry is a receive, and at the queue's maxReceiveCount SQS would move the message to the DLQ
 * although nothing is wrong with it. Before that, a fresh copy takes its place and this one is deleted.
 */
async function handOver(deps: BatchDeps, record: QueueRecord, delaySeconds: number): Promise<boolean> {
  if (record.receiveCount < deps.maxReceiveCount - 1) return false;
  try {
    await deps.queue.resend(record, delaySeconds);
    deps.metrics.count("Resent");
    return true;
  } catch (error) {
    deps.log.error("could not resend a long-running message; it is retried as it is", {
      messageId: record.messageId,
      error: String(error),
    });
    return false;
  }
}

function countingEvictions(cluster: ClusterPort, metrics: MetricsPort): ClusterPort {
  return {
    findNode: (...args) => cluster.findNode(...args),
    updateNode: (...args) => cluster.updateNode(...args),
    deleteNode: (...args) => cluster.deleteNode(...args),
    listPods: (...args) => cluster.listPods(...args),
    deletePod: (...args) => cluster.deletePod(...args),
    evict: async (pod) => {
      const result = await cluster.evict(pod);
      metrics.count("Evictions", { result: result.outcome });
      return result;
    },
  };
}
