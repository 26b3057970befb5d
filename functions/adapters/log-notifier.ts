import type { Logger } from "@aws-lambda-powertools/logger";
import type { Notification } from "../core/notifications.ts";
import type { NotifierPort } from "../core/ports.ts";

/** Writes each notification as a structured log line; the Slack notifier replaces it. */
export class LogNotifier implements NotifierPort {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async publish(notification: Notification): Promise<void> {
    this.logger.info("notification", { notification });
  }
}
