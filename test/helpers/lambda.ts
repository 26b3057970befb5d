import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export function lambdaContext(remainingMs = 80_000): Context {
  const until = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "harbormaster-interruptions",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-2:123456789012:function:harbormaster-interruptions",
    memoryLimitInMB: "512",
    awsRequestId: crypto.randomUUID(),
    logGroupName: "/aws/lambda/harbormaster-interruptions",
    logStreamName: "test",
    getRemainingTimeInMillis: () => until - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * What Lambda's SQS event source mapping does: receive a batch, invoke, delete what the partial batch
 * response did not report as failed. Returns the response and the ids received.
 */
export async function pollOnce(
  sqs: SQSClient,
  queueUrl: string,
  queueArn: string,
  handler: SqsHandler,
  options: {
    remainingMs?: number;
    waitSeconds?: number;
    batchWindowMs?: number;
    /** Lambda's batch size (SQS hands out at most 10 per receive; the event source gathers up to this). */
    batchSize?: number;
    /** Called once a batch is received, before the handler runs (the event source scales on this). */
    onReceived?: (count: number) => void;
  } = {},
) {
  // Lambda's batching window: keep receiving until the batch is full or the window has passed. It opens
  // with the first message, not with the long poll that waits for it.
  const Messages: Message[] = [];
  let windowEnds = Number.POSITIVE_INFINITY;
  const batchSize = options.batchSize ?? 10;
  const receive = (max: number, waitSeconds: number) =>
    sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
      )
      .then((r) => r.Messages ?? []);
  // The first message is long-polled for; the rest of the window is filled with up to five receives at
  // once, as Lambda's pollers keep several open: one at a time, a large batch would take many round trips.
  Messages.push(...(await receive(Math.min(10, batchSize), options.waitSeconds ?? 1)));
  if (Messages.length > 0) windowEnds = Date.now() + (options.batchWindowMs ?? 0);
  while (Messages.length > 0 && Messages.length < batchSize && Date.now() < windowEnds) {
    const wanted = batchSize - Messages.length;
    const rounds = Math.min(5, Math.ceil(wanted / 10));
    const received = await Promise.all([...Array(rounds).keys()].map((i) => receive(Math.min(10, wanted - i * 10), 0)));
    Messages.push(...received.flat());
    // An empty round: the queue has nothing more yet; look again shortly rather than spin on the emulator.
    if (received.every((r) => r.length === 0)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (Messages.length === 0) return { received: [], failed: [] as string[] };
  options.onReceived?.(Messages.length);
  const event: SQSEvent = {
    Records: Messages.map((m) => ({
      messageId: m.MessageId ?? "",
      receiptHandle: m.ReceiptHandle ?? "",
      body: m.Body ?? "",
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1",
        SentTimestamp: "0",
        SenderId: "test",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: process.env.AWS_REGION ?? "us-east-2",
    })),
  };
  const response = await handler(event, lambdaContext(options.remainingMs));
  const failed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
  const done = Messages.filter((m) => !failed.includes(m.MessageId ?? ""));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
      }),
    );
  }
  return { received: Messages.map((m) => m.MessageId ?? ""), failed };
}
