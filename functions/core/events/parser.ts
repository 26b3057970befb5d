import type { InterruptionMessage } from "./message.ts";
import type { Envelope } from "./schema.ts";

/** Turns one EventBridge event of a known (source, detail-type) into messages; throws on a malformed detail. */
export interface EventParser {
  source: string;
  detailType: string;
  parse(event: Envelope): InterruptionMessage[];
}
