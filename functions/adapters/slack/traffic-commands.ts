// shift, pause, resume and rollback as the traffic feature's control events: its function runs them through
// its own core (handleCommand), and its rollout thread in Slack shows what happened.
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { CommandResult, TrafficCommands } from "../../core/slack/ports.ts";
import type { ControlAction } from "../../core/traffic/commands.ts";
import { controlDetailType, controlSource } from "../../core/traffic/inbound.ts";

export class TrafficControlEvents implements TrafficCommands {
  private readonly events: EventBridgeClient;
  private readonly bus: string;

  constructor(bus: string, events = new EventBridgeClient({ maxAttempts: 3 })) {
    this.bus = bus;
    this.events = events;
  }

  /** A manual shift: the traffic function moves the weights and pauses any rollout's plan (docs/traffic.md). */
  shift(domain: string, percent: number, target: string | undefined, actor: string): Promise<CommandResult> {
    const what = `shift to ${percent}%${target ? ` for ${target}` : ""}`;
    return this.send({ domain, action: "shift", percent, ...(target ? { target } : {}) }, actor, what);
  }

  pause(domain: string, actor: string) {
    return this.send({ domain, action: "pause" }, actor, "pause");
  }

  resume(domain: string, actor: string) {
    return this.send({ domain, action: "resume" }, actor, "resume");
  }

  /** Abort restores the weights from before the rollout (or only releases the domain if someone edited them). */
  rollback(domain: string, actor: string) {
    return this.send({ domain, action: "abort" }, actor, "abort");
  }

  private async send(
    control: { domain: string; action: ControlAction; percent?: number; target?: string },
    actor: string,
    what: string,
  ): Promise<CommandResult> {
    const result = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.bus,
            Source: controlSource,
            DetailType: controlDetailType,
            Detail: JSON.stringify({ ...control, actor, reason: "requested from Slack" }),
          },
        ],
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${result.Entries?.[0]?.ErrorMessage ?? "unknown"}`);
    return { summary: `${what} sent to the rollout of ${control.domain}; its thread shows the outcome` };
  }
}
