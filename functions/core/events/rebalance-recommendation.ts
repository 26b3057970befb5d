// {"version":"0","id":"5d5555d5-dd55-5555-5555-5555dd55d55d","detail-type":"EC2 Instance Rebalance Recommendation",
//  "source":"aws.ec2","account":"123456789012","time":"2025-03-01T11:45:00Z","region":"us-east-2",
//  "resources":["arn:aws:ec2:us-east-2:123456789012:instance/i-0b662ef9931388ba0"],
//  "detail":{"instance-id":"i-0b662ef9931388ba0"}}
import * as z from "../zod.ts";
import { Kind } from "./kinds.ts";
import type { EventParser } from "./parser.ts";
import { envelopeBase, instanceId } from "./schema.ts";

const detail = z.object({ "instance-id": instanceId });

export const rebalanceRecommendation: EventParser = {
  source: "aws.ec2",
  detailType: "EC2 Instance Rebalance Recommendation",
  parse(event) {
    const d = detail.parse(event.detail);
    return [{ kind: Kind.RebalanceRecommendation, instanceId: d["instance-id"], ...envelopeBase(event) }];
  },
};
