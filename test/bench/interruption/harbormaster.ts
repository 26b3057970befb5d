import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createInterruptionHandler } from "../../../functions/adapters/interruption-wiring.ts";
import { drainEventSource, eventSourceScaling } from "../../../stacks/event-patterns.ts";
import { pollOnce } from "../../helpers/lambda.ts";
import type { Scenario } from "./scenario.ts";

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

interface EventSource {
  initialConcurrency: number;
  maximumConcurrency: number;
  batchSize: number;
  batchWindowSeconds: number;
}

/**
 * Runs the interruption functions as deployed (stacks/interruptions.ts): the warnings' function, which
 * cordons and hands drains over, and the drain function behind its own queue. Each runs as Lambda's SQS
 * event source mapping does: it starts with its initial concurrency and adds pollers while messages keep
 * arriving, up to its maximum. Each poller is its own execution environment (its own handler and caches),
 * with the deployed batch size and batching window; partial batch responses.
 */
// To test what the event source's shape costs, without changing what is deployed:
// BENCH_MAX_CONCURRENCY caps the warnings' environments (initial concurrency follows it down),
// BENCH_BATCH_WINDOW_MS replaces its batching window, BENCH_DRAIN_MAX_CONCURRENCY caps the drains', and
// BENCH_ONE_STAGE=1 drains in the warnings' function itself, as before the drain queue.
export const oneStage = process.env.BENCH_ONE_STAGE === "1";
const trace = process.env.BENCH_TRACE === "1";
const maximumConcurrency = Number(process.env.BENCH_MAX_CONCURRENCY ?? eventSourceScaling.maximumConcurrency);
const warnings: EventSource = {
  ...eventSourceScaling,
  maximumConcurrency,
  initialConcurrency: Math.min(eventSourceScaling.initialConcurrency, maximumConcurrency),
  batchWindowSeconds: Number(process.env.BENCH_BATCH_WINDOW_MS ?? eventSourceScaling.batchWindowSeconds * 1000) / 1000,
};
const drainMaximum = Number(process.env.BENCH_DRAIN_MAX_CONCURRENCY ?? drainEventSource.maximumConcurrency);
const drains: EventSource = {
  ...drainEventSource,
  maximumConcurrency: drainMaximum,
  initialConcurrency: Math.min(drainEventSource.initialConcurrency, drainMaximum),
};

export function startHarbormaster(
  /** How the handler reaches its clusters: KUBECONFIG for one, HARBORMASTER_CLUSTERS for several. */
  clusterEnv: Record<string, string>,
  scenario: Pick<Scenario, "queue" | "drainQueue" | "dlqUrl">,
) {
  const env = {
    AWS_REGION: process.env.AWS_REGION,
    ...clusterEnv,
    HARBORMASTER_DEAD_LETTER_QUEUE_URL: scenario.dlqUrl,
  };
  const front = eventSource(
    scenario.queue,
    warnings,
    oneStage ? env : { ...env, HARBORMASTER_DRAIN_QUEUE_URL: scenario.drainQueue.url },
  );
  const back = oneStage
    ? undefined
    : eventSource(scenario.drainQueue, drains, {
        ...env,
        HARBORMASTER_DRAIN_SLICE_SECONDS: String(drainEventSource.sliceSeconds),
      });
  return {
    /** Execution environments started, and the most invocations that ran at once, of both functions. */
    concurrency: () => {
      const [a, b] = [front.concurrency(), back?.concurrency() ?? { environments: 0, peak: 0 }];
      return { environments: a.environments + b.environments, peak: a.peak + b.peak, drainPeak: b.peak };
    },
    async stop() {
      await Promise.all([front.stop(), back?.stop()]);
    },
  };
}

function eventSource(queue: { url: string; arn: string }, scaling: EventSource, env: Record<string, unknown>) {
  const sqs = new SQSClient({});
  let running = true;
  const pollers: Promise<void>[] = [];
  // Lambda's concurrency: invocations in flight at once (each poller runs one at a time).
  let inFlight = 0;
  let peakInFlight = 0;

  const addPoller = () => {
    pollers.push(
      (async () => {
        const handler = createInterruptionHandler(env as NodeJS.ProcessEnv);
        const invoke: Handler = async (event, context) => {
          inFlight++;
          peakInFlight = Math.max(peakInFlight, inFlight);
          const startedAt = Date.now();
          try {
            return await handler(event, context);
          } finally {
            inFlight--;
            // BENCH_TRACE=1: when each invocation ran and how long it took, to see where a burst waits.
            if (trace)
              process.stderr.write(
                `[trace] ${queue.url.split("/").pop()} batch of ${event.Records.length} at ${new Date(startedAt).toISOString().slice(11, 23)} took ${Date.now() - startedAt} ms\n`,
              );
          }
        };
        while (running) {
          await pollOnce(sqs, queue.url, queue.arn, invoke, {
            waitSeconds: 1,
            remainingMs: 150_000,
            batchWindowMs: scaling.batchWindowSeconds * 1000,
            batchSize: scaling.batchSize,
            // Messages are waiting: the event source scales out while this batch is being handled.
            onReceived: () => {
              if (pollers.length < scaling.maximumConcurrency) addPoller();
            },
          });
        }
      })(),
    );
  };
  for (let i = 0; i < scaling.initialConcurrency; i++) addPoller();
  return {
    concurrency: () => ({ environments: pollers.length, peak: peakInFlight }),
    async stop() {
      running = false;
      await Promise.all(pollers);
    },
  };
}
