// Routing of the pre-scaling function. Plain values, no SST globals, so unit tests and the
// emulator-backed integration tests use exactly what is deployed.
import type { Policy } from "../functions/core/prescaling/policy.ts";
import { rampCron } from "../functions/core/prescaling/windows.ts";

/** ALARM raises and OK restores; INSUFFICIENT_DATA says nothing about load and is not routed. */
export function prescalingAlarmPattern(policies: readonly Pick<Policy, "alarms">[]) {
  const alarmNames = [...new Set(policies.flatMap((p) => p.alarms))].sort();
  if (alarmNames.length === 0) return undefined;
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    detail: { alarmName: alarmNames, state: { value: ["ALARM", "OK"] } },
  };
}

export interface PrescalingSchedule {
  name: string;
  expression: string;
  timezone: string;
  /** The message the schedule puts on the queue. */
  input: string;
}

/** One EventBridge Scheduler schedule per window, at its ramp's start, plus the expiry sweep. */
export function prescalingSchedules(policies: readonly Pick<Policy, "name" | "windows">[]): PrescalingSchedule[] {
  const windows = policies.flatMap((p) =>
    p.windows.map((w) => ({
      name: `${p.name}-${w.name}`.slice(0, 64),
      expression: rampCron(w),
      timezone: w.timezone,
      input: JSON.stringify({ harbormaster: "prescaling", action: "window", policy: p.name, window: w.name }),
    })),
  );
  return [...windows, prescalingSweep];
}

/** Restores come from here when OK never arrives: every held object is checked each minute. */
export const prescalingSweep: PrescalingSchedule = {
  name: "prescaling-sweep",
  expression: "rate(1 minute)",
  timezone: "UTC",
  input: JSON.stringify({ harbormaster: "prescaling", action: "sweep" }),
};

export const prescalingQueueSettings = {
  visibilityTimeoutSeconds: 120,
  retentionSeconds: 60 * 60,
  maxReceiveCount: 5,
  dlqRetentionSeconds: 14 * 24 * 60 * 60,
  /** One batch at a time keeps an OK behind its ALARM; a raise takes well under a second. */
  maximumConcurrency: 2,
  batchSize: 10,
} as const;
