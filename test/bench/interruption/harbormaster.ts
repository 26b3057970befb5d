import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createInterruptionHandler } from "../../../functions/adapters/interruption-wiring.ts";
import { eventSourceScaling } from "../../../stacks/event-patterns.ts";
import { pollOnce } from "../../helpers/lambda.ts";
import type { Scenario } from "./scenario.ts";

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Runs the interruption handler as Lambda's SQS event source mapping does: it starts with five concurrent
 * batches and adds pollers while messages keep arriving, up to the deployed maximum concurrency. Each
 * poller is its own execution environment (its own handler and caches), with the deployed batch size and
 * batching window; partial batch responses.
 */
// To test what the event source's shape costs, without changing what is deployed:
// BENCH_MAX_CONCURRENCY caps the environments (initial concurrency follows it down), BENCH_BATCH_WINDOW_MS
// replaces the batching window.
const maximumConcurrency = Number(process.env.BENCH_MAX_CONCURRENCY ?? eventSourceScaling.maximumConcurrency);
const initialConcurrency = Math.min(eventSourceScaling.initialConcurrency, maximumConcurrency);
const batchWindowMs = Number(process.env.BENCH_BATCH_WINDOW_MS ?? eventSourceScaling.batchWindowSeconds * 1000);

export function startHarbormaster(
  /** How the handler reaches its clusters: KUBECONFIG for one, HARBORMASTER_CLUSTERS for several. */
  clusterEnv: Record<string, string>,
  scenario: Pick<Scenario, "queue" | "dlqUrl">,
) {
  const sqs = new SQSClient({});
  let running = true;
  const pollers: Promise<void>[] = [];
  // Lambda's concurrency: invocations in flight at once (each poller runs one at a time).
  let inFlight = 0;
  let peakInFlight = 0;

  const addPoller = () => {
    pollers.push(
      (async () => {
        const handler = createInterruptionHandler({
          AWS_REGION: process.env.AWS_REGION,
          ...clusterEnv,
          HARBORMASTER_DEAD_LETTER_QUEUE_URL: scenario.dlqUrl,
        });
        const invoke: Handler = async (event, context) => {
          inFlight++;
          peakInFlight = Math.max(peakInFlight, inFlight);
          try {
            return await handler(event, context);
          } finally {
            inFlight--;
          }
        };
        while (running) {
          await pollOnce(sqs, scenario.queue.url, scenario.queue.arn, invoke, {
            waitSeconds: 1,
            remainingMs: 150_000,
            batchWindowMs,
            batchSize: eventSourceScaling.batchSize,
            // Messages are waiting: the event source scales out while this batch is being handled.
            onReceived: () => {
              if (pollers.length < maximumConcurrency) addPoller();
            },
          });
        }
      })(),
    );
  };
  for (let i = 0; i < initialConcurrency; i++) addPoller();
  return {
    /** Execution environments started, and the most invocations that ran at once. */
    concurrency: () => ({ environments: pollers.length, peak: peakInFlight }),
    async stop() {
      running = false;
      await Promise.all(pollers);
    },
  };
}
