// One small DynamoDB table for the two things that must be shared across Lambda instances:
// request ids seen in the replay window, and which Slack message heads each incident's thread.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { ReplayGuard, ThreadRecord, ThreadStore } from "../../core/slack/ports.ts";

/** Threads outlive an incident by a few weeks, so a late event (the instance's termination) still joins it. */
const threadTtlSeconds = 30 * 86_400;
const timeoutMs = 3_000;

export class DynamoSlackState implements ReplayGuard, ThreadStore {
  private readonly db: DynamoDBClient;
  private readonly table: string;

  constructor(table: string, db = new DynamoDBClient({ maxAttempts: 2 })) {
    this.table = table;
    this.db = db;
  }

  async firstSeen(requestId: string, expiresAtSec: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { pk: { S: `request#${requestId}` }, expiresAt: { N: String(expiresAtSec) } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(threadKey: string): Promise<ThreadRecord | undefined> {
    const { Item } = await this.db.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: `thread#${threadKey}` } }, ConsistentRead: true }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    if (!Item?.channel?.S || !Item.ts?.S) return undefined;
    return { channel: Item.channel.S, ts: Item.ts.S, posted: Item.posted?.SS ?? [] };
  }

  async create(threadKey: string, record: ThreadRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: `thread#${threadKey}` },
            channel: { S: record.channel },
            ts: { S: record.ts },
            posted: { SS: record.posted },
            expiresAt: { N: String(Math.floor(Date.now() / 1000) + threadTtlSeconds) },
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markPosted(threadKey: string, dedupeKey: string): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: `thread#${threadKey}` } },
        UpdateExpression: "ADD posted :key",
        ExpressionAttributeValues: { ":key": { SS: [dedupeKey] } },
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  }
}
