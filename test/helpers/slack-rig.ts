// A private Slack setup per test file: its own DynamoDB table and FIFO queue in the emulator, a local Slack
// Web API server, the command handler behind a Function URL, and the worker run as Lambda's SQS poller would.
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { createSlackCommandHandler } from "../../functions/adapters/slack/command-wiring.ts";
import { createSlackWorker, type SlackWorkerPorts } from "../../functions/adapters/slack/worker-wiring.ts";
import { lambdaContext } from "./lambda.ts";
import { functionUrl, signingSecret } from "./slack-requests.ts";
import { SlackServer, type SlackServerOptions } from "./slack-server.ts";
import { endpoints, uniqueName } from "./testbed.ts";

export const botToken = "xoxb-test-token";

export async function slackState(visibilityTimeoutSeconds = 30) {
  const db = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const table = uniqueName("slack-state");
  await db.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await db.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    }),
  );
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${uniqueName("slack")}.fifo`,
      Attributes: { FifoQueue: "true", VisibilityTimeout: String(visibilityTimeoutSeconds) },
    }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { db, sqs, table, queueUrl: QueueUrl, queueArn: Attributes?.QueueArn ?? "" };
}

export interface SlackRigOptions {
  env?: Record<string, string>;
  server?: SlackServerOptions;
  ports?: Partial<SlackWorkerPorts>;
  /** How soon a job the worker failed comes back. */
  visibilityTimeoutSeconds?: number;
}

export async function slackRig(options: SlackRigOptions = {}) {
  const state = await slackState(options.visibilityTimeoutSeconds);
  const slack = await SlackServer.start({ token: botToken, ...options.server });
  const env: Record<string, string> = {
    AWS_REGION: process.env.AWS_REGION ?? "us-east-2",
    HARBORMASTER_SLACK_SIGNING_SECRET: signingSecret,
    HARBORMASTER_SLACK_BOT_TOKEN: botToken,
    HARBORMASTER_SLACK_API_URL: slack.apiUrl,
    HARBORMASTER_SLACK_RESPONSE_URL_PREFIX: slack.url,
    HARBORMASTER_SLACK_TABLE: state.table,
    HARBORMASTER_SLACK_QUEUE_URL: state.queueUrl,
    HARBORMASTER_SLACK_DEFAULT_CHANNEL: "C0ALERTS",
    HARBORMASTER_SLACK_CLUSTERS: JSON.stringify({
      testbed: { kubeconfig: endpoints().kubeconfigPath, channels: ["C0OPS"] },
      other: { kubeconfig: endpoints().kubeconfigPath },
    }),
    HARBORMASTER_SLACK_ACCESS: JSON.stringify([
      { users: ["U0ALICE"], channels: ["C0OPS"], commands: "*", clusters: ["testbed"] },
      { users: "*", channels: "*", commands: ["status", "nodes"] },
    ]),
    ...options.env,
  };
  const command = createSlackCommandHandler(env);
  const front = await functionUrl(command);
  const worker = createSlackWorker(env, options.ports);

  /** What Lambda's FIFO event source does: receive (with group ids), invoke, delete what succeeded. */
  async function pollWorker(): Promise<{ received: number; failed: string[] }> {
    const { Messages = [] } = await state.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: state.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return { received: 0, failed: [] };
    const event = {
      Records: Messages.map((m) => ({
        messageId: m.MessageId ?? "",
        receiptHandle: m.ReceiptHandle ?? "",
        body: m.Body ?? "",
        attributes: { ...m.Attributes, ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1" },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? "",
        eventSource: "aws:sqs",
        eventSourceARN: state.queueArn,
        awsRegion: env.AWS_REGION,
      })),
    } as unknown as SQSEvent;
    const response = await worker(event, lambdaContext(120_000));
    const failed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    const done = Messages.filter((m) => !failed.includes(m.MessageId ?? ""));
    if (done.length > 0)
      await state.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: state.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
        }),
      );
    return { received: Messages.length, failed };
  }

  /** Runs the worker until the queue is empty; returns how many jobs it ran. */
  async function drainWorker(): Promise<number> {
    let total = 0;
    for (;;) {
      const { received, failed } = await pollWorker();
      if (received === 0) return total;
      if (failed.length > 0) throw new Error(`worker failed ${failed.length} job(s)`);
      total += received;
    }
  }

  return {
    ...state,
    env,
    slack,
    url: front.url,
    worker,
    pollWorker,
    drainWorker,
    async close() {
      await front.close();
      await slack.close();
    },
  };
}
