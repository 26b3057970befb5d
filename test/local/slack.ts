// Slack, locally: the functions queue notifications exactly as deployed (QueuedSlackNotifier → SQS FIFO),
// the Slack worker runs behind a FIFO event source and posts to a loopback server that speaks Slack's Web
// API, and slash commands reach the command function through a Function URL, signed as Slack signs them.
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { createSlackCommandHandler } from "../../functions/adapters/slack/command-wiring.ts";
import { createSlackWorker } from "../../functions/adapters/slack/worker-wiring.ts";
import { lambdaContext } from "../helpers/lambda.ts";
import { buttonBody, functionUrl, sign, signingSecret, slashCommandBody } from "../helpers/slack-requests.ts";
import { SlackServer } from "../helpers/slack-server.ts";
import type { LocalClusterInfo } from "./clusters.ts";

const botToken = "xoxb-local-token";
export const opsChannel = "C0OPS";

/** Commands in a cluster's channel address it; the first cluster (blue) has the ops channel. */
export function clusterChannel(index: number): string {
  return index === 0 ? opsChannel : `C0OPS${index + 1}`;
}

export async function startSlack(
  sqs: SQSClient,
  prefix: string,
  clusters: readonly LocalClusterInfo[],
  trafficBus: string,
  prescalingQueueUrl: string,
  /** The upgrades `upgrade <action> <name>` may address: name → domain and clusters. */
  upgrades: Record<string, { domain: string; blue: string; green: string }> = {},
) {
  const db = new DynamoDBClient({});
  const table = `${prefix}-slack-state`;
  await db.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-slack.fifo`,
      Attributes: { FifoQueue: "true", VisibilityTimeout: "30" },
    }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const slack = await SlackServer.start({ token: botToken });
  const names = clusters.map((c) => c.name);
  const env: Record<string, string> = {
    AWS_REGION: process.env.AWS_REGION ?? "us-east-2",
    HARBORMASTER_SLACK_SIGNING_SECRET: signingSecret,
    HARBORMASTER_SLACK_BOT_TOKEN: botToken,
    HARBORMASTER_SLACK_API_URL: slack.apiUrl,
    HARBORMASTER_SLACK_RESPONSE_URL_PREFIX: slack.url,
    HARBORMASTER_SLACK_TABLE: table,
    HARBORMASTER_SLACK_QUEUE_URL: QueueUrl,
    HARBORMASTER_SLACK_DEFAULT_CHANNEL: opsChannel,
    HARBORMASTER_SLACK_TRAFFIC_BUS: trafficBus,
    // `scale` and `headroom` go to the pre-scaling function's queue, as deployed: one queue for every cluster.
    HARBORMASTER_SLACK_PRESCALING_QUEUES: JSON.stringify(Object.fromEntries(names.map((n) => [n, prescalingQueueUrl]))),
    // No HARBORMASTER_CLUSTER_NAME: one deployment serves every cluster, and each notification names its own.
    HARBORMASTER_SLACK_CLUSTERS: JSON.stringify(
      Object.fromEntries(
        clusters.map((c, i) => [
          c.name,
          { eksCluster: c.eksCluster, kubeconfig: c.kubeconfigPath, channels: [clusterChannel(i)] },
        ]),
      ),
    ),
    HARBORMASTER_SLACK_UPGRADES: JSON.stringify(upgrades),
    // Locally everyone may run everything; docs/slack.md shows real access rules.
    HARBORMASTER_SLACK_ACCESS: JSON.stringify([{ users: "*", channels: "*", commands: "*", clusters: names }]),
  };
  const command = await functionUrl(createSlackCommandHandler(env));
  const worker = createSlackWorker(env);
  let running = true;
  // Lambda's FIFO event source: batches keep their group order; failed jobs come back after the timeout.
  const loop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ["All"],
          }),
        );
        if (Messages.length === 0) continue;
        const event = {
          Records: Messages.map((m) => ({
            messageId: m.MessageId ?? "",
            receiptHandle: m.ReceiptHandle ?? "",
            body: m.Body ?? "",
            attributes: { ...m.Attributes, ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1" },
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? "",
            eventSource: "aws:sqs",
            eventSourceARN: Attributes?.QueueArn ?? "",
            awsRegion: env.AWS_REGION,
          })),
        } as unknown as SQSEvent;
        const response = await worker(event, lambdaContext(120_000));
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ""));
        if (done.length > 0)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
            }),
          );
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();

  return {
    env,
    slack,
    /** A slash command as Slack sends it: form-encoded, signed with the app's signing secret. */
    async slashCommand(text: string, user = "U0LOCAL", channel = opsChannel) {
      const body = slashCommandBody({ text, user, channel, responseUrl: `${slack.url}/response/${Date.now()}` });
      const signed = sign(body);
      const response = await fetch(command.url, { method: "POST", headers: signed.headers, body: signed.body });
      return { status: response.status, body: await response.text() };
    },
    /** Run on a confirm prompt (cordon, drain, scale, headroom, shift…): a signed block action. */
    async confirm(value: string, user = "U0LOCAL", channel = opsChannel) {
      const responseUrl = `${slack.url}/response/${Date.now()}`;
      const signed = sign(buttonBody({ actionId: "harbormaster_confirm", value, user, channel, responseUrl }));
      const response = await fetch(command.url, { method: "POST", headers: signed.headers, body: signed.body });
      return { status: response.status, body: await response.text() };
    },
    async stop() {
      running = false;
      await loop;
      await command.close();
      await slack.close();
    },
  };
}
