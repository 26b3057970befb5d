// The replay table and the FIFO queue the command function writes to, in the emulator.
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";

export async function createSlackResources() {
  const suffix = Math.random().toString(36).slice(2, 8);
  const table = `bench-slack-${suffix}`;
  await new DynamoDBClient({ region: "us-east-2" }).send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const { QueueUrl = "" } = await new SQSClient({ region: "us-east-2" }).send(
    new CreateQueueCommand({ QueueName: `bench-slack-${suffix}.fifo`, Attributes: { FifoQueue: "true" } }),
  );
  return { table, queueUrl: QueueUrl };
}
