// {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification",
//  "source":"aws.ec2","account":"123456789012","time":"2025-03-01T12:02:00Z","region":"us-east-2",
//  "resources":["arn:aws:ec2:us-east-2:123456789012:instance/i-0b662ef9931388ba0"],
//  "detail":{"instance-id":"i-0b662ef9931388ba0","state":"shutting-down"}}
// AWS's own documented sample has no "version"; nothing here needs it.
import * as z from "../zod.ts";
import { Kind } from "./kinds.ts";
import type { EventParser } from "./parser.ts";
import { envelopeBase, instanceId } from "./schema.ts";

const detail = z.object({ "instance-id": instanceId, state: z.string().check(z.minLength(1)) });

// Going away: drain what can still be drained. Gone: only clean up.
const kindByState: Record<string, Kind | undefined> = {
  stopping: Kind.InstanceStopping,
  "shutting-down": Kind.InstanceStopping,
  stopped: Kind.InstanceTerminated,
  terminated: Kind.InstanceTerminated,
};

export const instanceStateChange: EventParser = {
  source: "aws.ec2",
  detailType: "EC2 Instance State-change Notification",
  parse(event) {
    const d = detail.parse(event.detail);
    const kind = kindByState[d.state];
    if (!kind) return [];
    return [{ kind, instanceId: d["instance-id"], state: d.state, ...envelopeBase(event) }];
  },
};
