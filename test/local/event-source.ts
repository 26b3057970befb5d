// Lambda's SQS event source mapping, run locally: the same handler Lambda invokes, with batches, the
// batching window, partial batch responses, visibility timeouts and the queue's redrive to its DLQ (moto
// applies those two). It starts with the deployed initial concurrency and scales out while messages wait.
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { pollOnce } from "../helpers/lambda.ts";
import type { Queue } from "./routing.ts";

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceOptions {
  name: string;
  sqs: SQSClient;
  queue: Queue;
  /** One handler per execution environment, as Lambda creates them. */
  makeHandler: () => SqsHandler;
  scaling: { initialConcurrency: number; maximumConcurrency: number; batchSize: number; batchWindowSeconds: number };
  /** The function's timeout: what the handler sees as remaining time. */
  timeoutMs: number;
  onBatch?: (batch: { name: string; received: number; failed: number; ms: number }) => void;
  onError?: (error: unknown) => void;
}

export interface EventSource {
  stop(): Promise<void>;
}

export function startEventSource(options: EventSourceOptions): EventSource {
  const { scaling } = options;
  let running = true;
  const pollers: Promise<void>[] = [];
  const addPoller = () => {
    pollers.push(
      (async () => {
        const handler = options.makeHandler();
        while (running) {
          const started = Date.now();
          try {
            const { received, failed } = await pollOnce(options.sqs, options.queue.url, options.queue.arn, handler, {
              waitSeconds: 1,
              remainingMs: options.timeoutMs,
              batchWindowMs: scaling.batchWindowSeconds * 1000,
              batchSize: scaling.batchSize,
              onReceived: () => {
                if (running && pollers.length < scaling.maximumConcurrency) addPoller();
              },
            });
            if (received.length > 0)
              options.onBatch?.({
                name: options.name,
                received: received.length,
                failed: failed.length,
                ms: Date.now() - started,
              });
          } catch (error) {
            // A failed invocation leaves the batch to come back after its visibility timeout, as in Lambda.
            if (running) options.onError?.(error);
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
      })(),
    );
  };
  for (let i = 0; i < scaling.initialConcurrency; i++) addPoller();
  return {
    async stop() {
      running = false;
      await Promise.all(pollers);
    },
  };
}
