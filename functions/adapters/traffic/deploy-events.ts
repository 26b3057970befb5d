import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { DeployNotice } from "../../core/traffic/commands.ts";
import { deployDetailTypes, deploySource } from "../../core/traffic/inbound.ts";

const detailTypeOf = Object.fromEntries(Object.entries(deployDetailTypes).map(([type, status]) => [status, type]));

/** Puts a webhook's deploy notice on the bus as the same custom event CI sends, so one path handles both. */
export class DeployEventBus {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(busName: string, client = new EventBridgeClient({ requestHandler: { requestTimeout: 10_000 } })) {
    this.client = client;
    this.busName = busName;
  }

  async put(notice: DeployNotice): Promise<void> {
    const { id, source, status, ...fields } = notice;
    const answer = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: deploySource,
            DetailType: detailTypeOf[status],
            Detail: JSON.stringify({ ...fields, origin: source, deliveryId: id }),
          },
        ],
      }),
    );
    if (answer.FailedEntryCount) {
      throw new Error(`PutEvents failed: ${answer.Entries?.[0]?.ErrorCode} ${answer.Entries?.[0]?.ErrorMessage}`);
    }
  }
}
