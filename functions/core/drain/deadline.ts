import { Kind } from "../events/kinds.ts";
import type { InterruptionMessage } from "../events/message.ts";

export interface DeadlineSettings {
  /** Taken off every deadline so the last evictions finish before the instance goes. */
  marginMs: number;
  /** Lifecycle hooks: how long the drain may run while heartbeats keep the action alive. */
  lifecycleDrainMs: number;
  /** Kinds that carry no deadline of their own (rebalance, stopping). */
  defaultDrainMs: number;
}

export const defaultDeadlineSettings: DeadlineSettings = {
  marginMs: 15_000,
  lifecycleDrainMs: 10 * 60_000,
  defaultDrainMs: 5 * 60_000,
};

const spotWarningMs = 120_000;

/** When the drain must be finished, derived from the event: AWS's clock, not ours. */
export function deadlineFor(message: InterruptionMessage, settings: DeadlineSettings = defaultDeadlineSettings): Date {
  const from = message.eventTime.getTime();
  switch (message.kind) {
    case Kind.SpotInterrupted:
      return new Date(from + spotWarningMs - settings.marginMs);
    case Kind.TerminateLifecycle:
    case Kind.LaunchLifecycle:
      return new Date(from + settings.lifecycleDrainMs);
    case Kind.ScheduledChange: {
      const start = message.startTime?.getTime() ?? from + settings.defaultDrainMs;
      return new Date(start - settings.marginMs);
    }
    default:
      return new Date(from + settings.defaultDrainMs);
  }
}
