// `upgrade <action> <name>` as the upgrade engine's custom event: the traffic function's upgrade rule delivers
// it, the engine runs it, and the upgrade's thread in Slack shows what happened (or, for status, where it is).
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { CommandResult, UpgradeCommands } from "../../core/slack/ports.ts";
import type { UpgradeAction } from "../../core/upgrade/commands.ts";
import { upgradeDetailType, upgradeSource } from "../../core/upgrade/inbound-names.ts";

export class UpgradeEvents implements UpgradeCommands {
  private readonly events: EventBridgeClient;
  private readonly bus: string;

  constructor(bus: string, events = new EventBridgeClient({ maxAttempts: 3 })) {
    this.bus = bus;
    this.events = events;
  }

  async request(upgrade: string, action: UpgradeAction, actor: string): Promise<CommandResult> {
    const result = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.bus,
            Source: upgradeSource,
            DetailType: upgradeDetailType,
            Detail: JSON.stringify({ upgrade, action, actor, reason: "requested from Slack" }),
          },
        ],
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${result.Entries?.[0]?.ErrorMessage ?? "unknown"}`);
    return {
      summary:
        action === "status"
          ? `status of upgrade ${upgrade} requested; its thread shows it`
          : `${action} sent to upgrade ${upgrade}; its thread shows the outcome`,
    };
  }
}
