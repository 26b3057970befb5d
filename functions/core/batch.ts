import { mapLimit } from "./concurrency.ts";
import type { InterruptionMessage } from "./events/message.ts";
import { parseBody } from "./events/registry.ts";
import type { ClusterPort, MetricsPort } from "./ports.ts";
import { cordonFirst, type MessageOutcome, type ProcessorDeps, processMessage } from "./processor.ts";

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

export interface BatchDeps extends ProcessorDeps {
  queue: QueuePort;
  log: BatchLog;
  groupConcurrency: number;
  /** The queue's redrive maxReceiveCount: a message received that often goes to the DLQ when it fails again. */
  maxReceiveCount: number;
}

const errorRetrySeconds = 5;

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

interface Work {
  record: QueueRecord;
  message: InterruptionMessage;
}

/**
 * One SQS batch. Records that need no more work are reported done (Lambda deletes them); the others are
 * partial-batch failures. Messages about one instance run one after the other, instances in parallel.
 */
export async function processBatch(
  deps: BatchDeps,
  records: readonly QueueRecord[],
  pauseAt: number,
): Promise<BatchResult> {
  const failed = new Set<string>();
  const requeue = new Map<string, number>();
  const byInstance = new Map<string, Work[]>();
  const counted = { ...deps, cluster: countingEvictions(deps.cluster, deps.metrics) };

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

  // Every node is cordoned before any drain starts (see cordonFirst); a failure here is retried below.
  const startedEarlier = new Set<InterruptionMessage>();
  await mapLimit([...byInstance.values()], deps.groupConcurrency, async ([first]) => {
    if (first && (await cordonFirst(counted, first.message).catch(() => false))) startedEarlier.add(first.message);
  });

  const runGroup = async (group: Work[]) => {
    for (const { record, message } of group) {
      const fields = {
        messageId: record.messageId,
        eventId: message.eventId,
        instanceId: message.instanceId,
        kind: message.kind,
      };
      let outcome: MessageOutcome;
      try {
        outcome = await processMessage(counted, message, pauseAt, startedEarlier.has(message));
      } catch (error) {
        deps.log.error("message failed; it will be retried", {
          ...fields,
          error: error instanceof Error ? error.message : String(error),
        });
        // Soon, not after the queue's visibility timeout: that is longer than a spot warning.
        requeue.set(record.messageId, Math.min(requeue.get(record.messageId) ?? errorRetrySeconds, errorRetrySeconds));
        continue;
      }
      deps.log.info("message handled", { ...fields, status: outcome.status, result: outcome.result });
      if (outcome.status === "retry") {
        requeue.set(
          record.messageId,
          Math.min(requeue.get(record.messageId) ?? Number.MAX_SAFE_INTEGER, outcome.delaySeconds),
        );
      }
    }
  };
  await mapLimit([...byInstance.values()], deps.groupConcurrency, runGroup);

  for (const record of records) {
    const delay = requeue.get(record.messageId);
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
