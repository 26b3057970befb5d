import type { CommandScaler } from "./command-scaler.ts";
import type { Policy } from "./policy.ts";
import type { Prescaler } from "./prescaler.ts";
import type { PrescalingTrigger } from "./triggers.ts";
import { activeOccurrence } from "./windows.ts";

export interface DispatchDeps {
  prescaler: Pick<Prescaler, "raise" | "release" | "sweep">;
  /** `scale` and `headroom` from Slack. */
  commands?: Pick<CommandScaler, "run">;
  policies: readonly Policy[];
  now(): number;
  /** The alarm's state now, to spot an ALARM that arrives after the OK that ended it. */
  alarms?: { state(name: string): Promise<{ value: string; updatedAt: number } | undefined> };
  log: { info(message: string, fields: Record<string, unknown>): void };
}

const minute = 60_000;

/** What each trigger means for the policies: a decision table, the I/O is the prescaler's. */
export async function dispatch(deps: DispatchDeps, trigger: PrescalingTrigger): Promise<void> {
  switch (trigger.type) {
    case "alarm": {
      const policies = deps.policies.filter((p) => p.alarms.includes(trigger.alarmName));
      if (policies.length === 0) deps.log.info("no policy for this alarm", { alarm: trigger.alarmName });
      const name = `alarm:${trigger.alarmName}`;
      if (trigger.state === "ALARM" && policies.length > 0 && (await isStale(deps, trigger.alarmName, trigger.at))) {
        deps.log.info("ALARM already ended; not raising", { alarm: trigger.alarmName, eventId: trigger.id });
        return;
      }
      for (const policy of policies) {
        if (trigger.state === "ALARM") {
          await deps.prescaler.raise({
            policy,
            trigger: name,
            since: trigger.at,
            expiresAt: trigger.at + policy.maxDurationMinutes * minute,
            eventId: trigger.id,
            eventAt: trigger.at,
          });
        } else if (trigger.state === "OK") {
          await deps.prescaler.release({
            policy,
            trigger: name,
            eventAt: trigger.at,
            restoreAt: trigger.at + policy.cooldownMinutes * minute,
            eventId: trigger.id,
          });
        }
        // INSUFFICIENT_DATA says nothing about load: the hold stays until OK or its expiry.
      }
      return;
    }
    case "window": {
      const policy = deps.policies.find((p) => p.name === trigger.policy);
      const window = policy?.windows.find((w) => w.name === trigger.window);
      if (!policy || !window) {
        deps.log.info("schedule names no configured window", { policy: trigger.policy, window: trigger.window });
        return;
      }
      const occurrence = activeOccurrence(window, deps.now());
      if (!occurrence) {
        deps.log.info("schedule fired outside its window", { policy: policy.name, window: window.name });
        return;
      }
      await deps.prescaler.raise({
        policy,
        trigger: `window:${window.name}`,
        since: occurrence.rampStart,
        expiresAt: occurrence.end,
        eventId: trigger.id,
        eventAt: trigger.at,
      });
      return;
    }
    case "command":
      if (!deps.commands) {
        deps.log.info("commands are not wired here; dropped", { eventId: trigger.id });
        return;
      }
      await deps.commands.run(trigger);
      return;
    case "sweep":
      await deps.prescaler.sweep(trigger.id);
      return;
  }
}

// Events may arrive out of order: an ALARM whose alarm has since gone back to OK would raise until expiry.
async function isStale(deps: DispatchDeps, alarmName: string, at: number): Promise<boolean> {
  const now = await deps.alarms?.state(alarmName);
  return now !== undefined && now.value === "OK" && now.updatedAt > at;
}
