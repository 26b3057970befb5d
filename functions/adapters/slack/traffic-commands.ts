// shift, pause, resume and rollback as the traffic feature's control events: its function runs them through
// its own core (handleCommand), and its rollout thread in Slack shows what happened.
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { CommandRefused, type CommandResult, type TrafficCommands } from "../../core/slack/ports.ts";
import type { ControlAction } from "../../core/traffic/commands.ts";
import { controlDetailType, controlSource } from "../../core/traffic/inbound.ts";

export class TrafficControlEvents implements TrafficCommands {
  private readonly events: EventBridgeClient;
  private readonly bus: string;

  constructor(bus: string, events = new EventBridgeClient({ maxAttempts: 3 })) {
    this.bus = bus;
    this.events = events;
  }

  /** The traffic core moves weights by plan; by hand it can only finish a rollout (promote) or undo it. */
  shift(domain: string, percent: number, actor: string): Promise<CommandResult> {
    if (percent === 100) return this.send(domain, "promote", actor);
    if (percent === 0) return this.send(domain, "abort", actor);
    throw new CommandRefused(
      `the traffic feature shifts by its step plan: \`shift ${domain} 100\` promotes the rollout, \`shift ${domain} 0\` or \`rollback ${domain}\` undoes it`,
    );
  }

  pause(domain: string, actor: string) {
    return this.send(domain, "pause", actor);
  }

  resume(domain: string, actor: string) {
    return this.send(domain, "resume", actor);
  }

  /** Abort restores the weights from before the rollout (or only releases the domain if someone edited them). */
  rollback(domain: string, actor: string) {
    return this.send(domain, "abort", actor);
  }

  private async send(domain: string, action: ControlAction, actor: string): Promise<CommandResult> {
    const result = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.bus,
            Source: controlSource,
            DetailType: controlDetailType,
            Detail: JSON.stringify({ domain, action, actor, reason: "requested from Slack" }),
          },
        ],
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${result.Entries?.[0]?.ErrorMessage ?? "unknown"}`);
    return { summary: `${action} sent to the rollout of ${domain}; its thread shows the outcome` };
  }
}
