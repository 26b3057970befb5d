import type { MetricsPort } from "../ports.ts";
import type { DispatchDeps } from "./dispatch.ts";
import { type PrescalingTrigger, parseTrigger, TriggerParseError } from "./triggers.ts";

export interface PrescalingRecord {
  messageId: string;
  body: string;
}

export interface BatchDeps {
  /** Carries one trigger out, in every cluster it concerns. */
  dispatch(trigger: PrescalingTrigger): Promise<void>;
  now(): number;
  metrics: MetricsPort;
  log: DispatchDeps["log"] & { error(message: string, fields: Record<string, unknown>): void };
}

/**
 * Handles a batch in order (an OK must not overtake its ALARM). Returns the ids to retry; a message that
 * cannot be parsed is logged, counted and dropped, since no retry would make it readable.
 */
export async function processPrescalingBatch(deps: BatchDeps, records: readonly PrescalingRecord[]): Promise<string[]> {
  const failed: string[] = [];
  for (const record of records) {
    try {
      const trigger = parseTrigger(record.body, record.messageId, deps.now());
      deps.metrics.count("PrescalingTriggers", { type: trigger.type });
      await deps.dispatch(trigger);
    } catch (error) {
      if (error instanceof TriggerParseError) {
        deps.metrics.count("PrescalingUnparsable");
        deps.log.error("dropped an unreadable message", { messageId: record.messageId, reason: error.message });
        continue;
      }
      deps.log.error("trigger failed; it will be retried", { messageId: record.messageId, error: String(error) });
      failed.push(record.messageId);
    }
  }
  return failed;
}
