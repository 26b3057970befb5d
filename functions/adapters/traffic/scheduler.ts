import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { stepPayloadMarker } from "../../core/traffic/inbound.ts";
import type { StepSchedulerPort, StepTicket } from "../../core/traffic/ports.ts";

/** One-shot EventBridge Scheduler schedules that invoke the traffic function with the step's ticket. */
export class StepScheduler implements StepSchedulerPort {
  private readonly client: SchedulerClient;
  private readonly group: string;
  private readonly roleArn: string;
  private readonly targetArn: () => string;

  constructor(group: string, roleArn: string, targetArn: () => string, client?: SchedulerClient) {
    this.client = client ?? new SchedulerClient({ requestHandler: { requestTimeout: 10_000 } });
    this.group = group;
    this.roleArn = roleArn;
    this.targetArn = targetArn;
  }

  async schedule(ticket: StepTicket, at: number): Promise<void> {
    await createOneShot(this.client, {
      name: scheduleName(ticket),
      group: this.group,
      roleArn: this.roleArn,
      targetArn: this.targetArn(),
      input: { harbormaster: stepPayloadMarker, ...ticket },
      at,
    });
  }

  async cancel(ticket: StepTicket): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: scheduleName(ticket), GroupName: this.group }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}

/** Unique per domain, rollout and revision; at most 64 characters (domain ≤ 24, rollout id 12). */
export function scheduleName(ticket: StepTicket): string {
  return `hm-${ticket.domain}-${ticket.rolloutId}-${ticket.revision}`;
}

export interface OneShot {
  name: string;
  group: string;
  roleArn: string;
  targetArn: string;
  input: object;
  at: number;
}

/** Creates a one-shot schedule that deletes itself after it fires; the name makes a retry a no-op. */
export async function createOneShot(client: SchedulerClient, shot: OneShot): Promise<void> {
  try {
    await client.send(
      new CreateScheduleCommand({
        Name: shot.name,
        GroupName: shot.group,
        // at() takes whole seconds, UTC; rounding up keeps the step from firing before its bake ends.
        ScheduleExpression: `at(${new Date(Math.ceil(shot.at / 1000) * 1000).toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: {
          Arn: shot.targetArn,
          RoleArn: shot.roleArn,
          Input: JSON.stringify(shot.input),
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        },
      }),
    );
  } catch (error) {
    // The name is the ticket: a retried run found its schedule already made.
    if (!(error instanceof ConflictException)) throw error;
  }
}
