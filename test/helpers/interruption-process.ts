// One instance of the interruption function in a process of its own, so that a test can kill it mid-drain
// as Lambda would lose an execution environment. It takes one message from the queue, handles it, and
// writes each notification to stdout as a JSON line.
//   HARBORMASTER_TEST_INSTANCE='{"env":{…},"queueUrl":"…","queueArn":"…"}' node interruption-process.ts
import { SQSClient } from "@aws-sdk/client-sqs";
import { createInterruptionHandler } from "../../functions/adapters/interruption-wiring.ts";
import { pollOnce } from "./lambda.ts";

const { env, queueUrl, queueArn } = JSON.parse(process.env.HARBORMASTER_TEST_INSTANCE ?? "{}");
const handler = createInterruptionHandler(env, {
  notifier: { publish: async (notification) => void process.stdout.write(`${JSON.stringify(notification)}\n`) },
});
await pollOnce(new SQSClient({}), queueUrl, queueArn, handler, { batchSize: 1, waitSeconds: 5, remainingMs: 120_000 });
