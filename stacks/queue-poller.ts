// Lambda's SQS poller receives, deletes and reads the queue's attributes with the function's own role, and
// CreateEventSourceMapping refuses a role that may not. SST's `subscribe` grants these only to a function
// it creates itself: given a function's ARN, as the stacks give it, it grants nothing (its
// QueueLambdaSubscriber). So each function reading a queue lists them. Plain values, no SST globals.
import type { Permission } from "./iam.ts";

export const queuePollerActions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

export function queuePollerPermissions<R>(queueArn: R): Permission<R>[] {
  return [{ actions: [...queuePollerActions], resources: [queueArn] }];
}
