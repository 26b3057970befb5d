import { errorRetrySeconds, runCluster } from "./cluster-run.ts";
import type { InterruptionMessage } from "./events/message.ts";
import { parseBody } from "./events/registry.ts";
import type { Clock, MetricsPort } from "./ports.ts";
import type { ProcessorDeps } from "./processor.ts";
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
  /** Set where drains have their own queue: a cordoned node's drain is handed to it (see cluster-run.ts). */
  handOff?: (records: readonly { messageId: string; body: string }[]) => Promise<void>;
  /** The queue's redrive maxReceiveCount: a message received that often goes to the DLQ when it fails again. */
  maxReceiveCount: number;
  /** Instances already logged as foreign in this environment: each is logged once. */
  foreignLogged?: Set<string>;
}

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
  /** Aborted when the invocation should hand its drains back before `pauseAt` (new drains are waiting). */
  handBack?: AbortSignal,
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

  await Promise.all(
    [...byCluster].map(([cluster, groups]) => runCluster(deps, cluster, groups, pauseAt, requeue, handBack)),
  );

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
