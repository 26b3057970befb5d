// Where the feature functions send their notifications once Slack is deployed: the Slack stack's FIFO queue
// (functions/adapters/slack/queued-notifier.ts). Without it they log them.

export interface NotificationQueue {
  url: $util.Input<string>;
  arn: $util.Input<string>;
}

export function notificationEnvironment(queue: NotificationQueue | undefined): Record<string, $util.Input<string>> {
  return queue ? { HARBORMASTER_SLACK_QUEUE_URL: queue.url } : {};
}

export function notificationPermissions(queue: NotificationQueue | undefined) {
  return queue ? [{ actions: ["sqs:SendMessage"], resources: [queue.arn] }] : [];
}
