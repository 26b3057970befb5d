import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { UpgradeTicket } from "../../core/upgrade/commands.ts";
import { upgradeStepMarker } from "../../core/upgrade/inbound-names.ts";
import type { UpgradeSchedulerPort } from "../../core/upgrade/ports.ts";
import { createOneShot } from "../traffic/scheduler.ts";

/** The upgrade's re-checks: one-shot schedules in the traffic function's group, invoking the same function. */
export class UpgradeScheduler implements UpgradeSchedulerPort {
  private readonly client: SchedulerClient;
  private readonly group: string;
  private readonly roleArn: string;
  private readonly targetArn: () => string;

  constructor(client: SchedulerClient, group: string, roleArn: string, targetArn: () => string) {
    this.client = client;
    this.group = group;
    this.roleArn = roleArn;
    this.targetArn = targetArn;
  }

  async schedule(ticket: UpgradeTicket, at: number): Promise<void> {
    await createOneShot(this.client, {
      name: upgradeScheduleName(ticket, at),
      group: this.group,
      roleArn: this.roleArn,
      targetArn: this.targetArn(),
      input: { harbormaster: upgradeStepMarker, ...ticket },
      at,
    });
  }
}

/**
 * Unique per upgrade, run, revision and second (at most 24 + 12 + 6 + 7 characters, under Scheduler's 64):
 * a capacity wait re-checks one revision several times, each a schedule of its own.
 */
export function upgradeScheduleName(ticket: UpgradeTicket, at: number): string {
  const second = Math.ceil(at / 1000).toString(36);
  return `hmu-${ticket.upgrade}-${ticket.rolloutId}-${ticket.revision}-${second}`;
}
