// The FIFO queue between the acknowledging function (and every notifier) and the Slack worker.
import { createHash } from "node:crypto";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SlackJob } from "../../core/slack/jobs.ts";
import type { JobQueue } from "../../core/slack/ports.ts";

const timeoutMs = 3_000;
// FIFO ids allow 128 characters; a hash keeps any key within that.
const fifoId = (key: string) => createHash("sha256").update(key).digest("hex");

export class SqsJobQueue implements JobQueue {
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;

  constructor(queueUrl: string, sqs = new SQSClient({ maxAttempts: 2 })) {
    this.queueUrl = queueUrl;
    this.sqs = sqs;
  }

  async enqueue(job: SlackJob, options: { groupId: string; dedupeId: string }): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(job),
        MessageGroupId: fifoId(options.groupId),
        MessageDeduplicationId: fifoId(options.dedupeId),
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  }
}
