// {"version":"0","id":"7fb65329-1428-4cd3-a740-95fa457a1402","detail-type":"AWS Health Event","source":"aws.health",
//  "account":"123456789012","time":"2025-03-01T06:27:57Z","region":"us-east-2","resources":["i-0b662ef9931388ba0"],
//  "detail":{"eventArn":"arn:aws:health:…","service":"EC2","eventTypeCode":"AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
//   "eventTypeCategory":"scheduledChange","startTime":"Sat, 15 Mar 2025 15:00:00 GMT",
//   "endTime":"Sat, 15 Mar 2025 17:00:00 GMT","affectedEntities":[{"entityValue":"i-0b662ef9931388ba0","tags":{}}]}}
import * as z from "../zod.ts";
import { Kind } from "./kinds.ts";
import type { EventParser } from "./parser.ts";
import { envelopeBase, httpOrIsoTime, instanceId } from "./schema.ts";

const detail = z.object({
  service: z.string(),
  eventTypeCategory: z.string(),
  eventTypeCode: z.optional(z.string()),
  startTime: httpOrIsoTime,
  affectedEntities: z._default(z.array(z.object({ entityValue: z.string() })), []),
});

export const scheduledChange: EventParser = {
  source: "aws.health",
  detailType: "AWS Health Event",
  parse(event) {
    const d = detail.parse(event.detail);
    if (d.service !== "EC2" || d.eventTypeCategory !== "scheduledChange") return [];
    // One action per affected instance; entities and resources both list them, so de-duplicate.
    const ids = new Set(
      [...d.affectedEntities.map((e) => e.entityValue), ...event.resources].filter(
        (value) => instanceId.safeParse(value).success,
      ),
    );
    return [...ids].map((id) => ({
      kind: Kind.ScheduledChange,
      instanceId: id,
      startTime: d.startTime,
      ...envelopeBase(event),
    }));
  },
};
