import { SQSClient } from "@aws-sdk/client-sqs";
import { createInterruptionHandler } from "../../../functions/adapters/interruption-wiring.ts";
import { pollOnce } from "../../helpers/lambda.ts";
import type { Scenario } from "./scenario.ts";

/**
 * Runs the interruption handler as Lambda's SQS event source would: `concurrency` pollers, each its own
 * "execution environment" (its own handler instance and caches), batches of up to 10, partial responses.
 */
export function startHarbormaster(kubeconfigPath: string, scenario: Scenario, concurrency: number) {
  const sqs = new SQSClient({});
  let running = true;
  const pollers = Array.from({ length: concurrency }, async () => {
    const handler = createInterruptionHandler({
      AWS_REGION: process.env.AWS_REGION,
      KUBECONFIG: kubeconfigPath,
      HARBORMASTER_DEAD_LETTER_QUEUE_URL: scenario.dlqUrl,
      POWERTOOLS_LOG_LEVEL: "ERROR",
    });
    while (running) {
      const { received } = await pollOnce(sqs, scenario.queue.url, scenario.queue.arn, handler, {
        waitSeconds: 1,
        remainingMs: 150_000,
        batchWindowMs: 1_000, // as deployed (stacks/interruptions.ts)
      });
      if (received.length && process.env.BENCH_VERBOSE)
        process.stderr.write(`[poller] ${received.length} messages handled at ${new Date().toISOString()}\n`);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(pollers);
    },
  };
}
