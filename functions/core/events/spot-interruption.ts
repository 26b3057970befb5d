// {"version":"0","id":"1e5527d7-bb36-4607-3370-4164db56a40e","detail-type":"EC2 Spot Instance Interruption Warning",
//  "source":"aws.ec2","account":"123456789012","time":"2025-03-01T12:00:00Z","region":"us-east-2",
//  "resources":["arn:aws:ec2:us-east-2a:instance/i-0b662ef9931388ba0"],
//  "detail":{"instance-id":"i-0b662ef9931388ba0","instance-action":"terminate"}}
// The resource ARN names an AZ and no account, so the instance comes from detail only.
import * as z from "../zod.ts";
import { Kind } from "./kinds.ts";
import type { EventParser } from "./parser.ts";
import { envelopeBase, instanceId } from "./schema.ts";

const detail = z.object({
  "instance-id": instanceId,
  "instance-action": z.enum(["terminate", "stop", "hibernate"]),
});

export const spotInterruption: EventParser = {
  source: "aws.ec2",
  detailType: "EC2 Spot Instance Interruption Warning",
  parse(event) {
    const d = detail.parse(event.detail);
    return [{ kind: Kind.SpotInterrupted, instanceId: d["instance-id"], ...envelopeBase(event) }];
  },
};
