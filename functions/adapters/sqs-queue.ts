import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { QueuePort, QueueRecord } from "../core/batch.ts";

export class SqsQueue implements QueuePort {
  private readonly client: SQSClient;
  private readonly deadLetterUrl: string;
  private readonly drainUrl: string | undefined;
  private readonly urls = new Map<string, Promise<string>>();

  constructor(deadLetterUrl: string, client: SQSClient = new SQSClient({}), drainUrl?: string) {
    this.deadLetterUrl = deadLetterUrl;
    this.client = client;
    this.drainUrl = drainUrl;
  }

  /** Whether drains go to their own queue (see handOff). */
  get handsOff(): boolean {
    return this.drainUrl !== undefined;
  }

  /**
   * Puts up to ten messages on the drain queue as they came (the drain function parses and routes them
   * again), in one call. Throws unless every one of them was taken.
   */
  async handOff(records: readonly { messageId: string; body: string }[]): Promise<void> {
    if (!this.drainUrl) throw new Error("no drain queue configured");
    const result = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.drainUrl,
        Entries: records.map((record, i) => ({
          Id: String(i),
          MessageBody: record.body,
          MessageAttributes: { "source-message-id": { DataType: "String", StringValue: record.messageId } },
        })),
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
    const failed = result.Failed ?? [];
    if (failed.length > 0) throw new Error(`the drain queue refused ${failed.length}: ${failed[0]?.Message ?? ""}`);
  }

  async deadLetter(record: QueueRecord, reason: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterUrl,
        MessageBody: record.body,
        MessageAttributes: {
          "harbormaster-error": { DataType: "String", StringValue: reason.slice(0, 1024) },
          "source-message-id": { DataType: "String", StringValue: record.messageId },
        },
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
  }

  async requeue(record: QueueRecord, delaySeconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: await this.urlOf(record.queueArn),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: delaySeconds,
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
  }

  async resend(record: QueueRecord, delaySeconds: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: await this.urlOf(record.queueArn),
        MessageBody: record.body,
        DelaySeconds: Math.min(delaySeconds, 900),
        MessageAttributes: {
          "source-message-id": { DataType: "String", StringValue: record.messageId },
        },
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
  }

  /** Messages waiting in the queue that no consumer has taken (ApproximateNumberOfMessages). */
  async waiting(queueArn: string): Promise<number> {
    const { Attributes } = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: await this.urlOf(queueArn),
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  }

  // Lambda gives the queue's ARN; SQS calls want its URL, which only SQS knows for sure (endpoints differ).
  private urlOf(arn: string): Promise<string> {
    let url = this.urls.get(arn);
    if (!url) {
      const [, , , , account, name] = arn.split(":");
      url = this.client
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }), {
          abortSignal: AbortSignal.timeout(5_000),
        })
        .then((r) => r.QueueUrl ?? "");
      // A failed lookup is not remembered: the next requeue asks again.
      url.catch(() => this.urls.delete(arn));
      this.urls.set(arn, url);
    }
    return url;
  }
}
