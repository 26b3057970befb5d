import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { planRegions, type RegionPlan } from "../../../stacks/cluster-groups.ts";
import { interruptionEventPatterns } from "../../../stacks/event-patterns.ts";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { uniqueName } from "../../helpers/testbed.ts";

// The plan for three clusters in two regions and two VPCs, wired in the emulator as
// stacks/interruption-rules.ts wires it: per region one rule per pattern, each with one target per group
// queue. Each test has its own buses, so events other test files put on the default bus stay out.
const plan = planRegions({
  staging: { region: "eu-west-1" },
  "production-blue": { region: "us-east-2", vpc: { privateSubnets: ["subnet-0a1"], securityGroups: ["sg-0a1"] } },
  "production-green": { region: "us-east-2", vpc: { privateSubnets: ["subnet-0b2"], securityGroups: ["sg-0b2"] } },
});

async function wireRegion(region: RegionPlan) {
  const sqs = new SQSClient({ region: region.region });
  const events = new EventBridgeClient({ region: region.region });
  const bus = uniqueName("region");
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const queues = await Promise.all(
    region.groups.map(async (group) => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("group") }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
      return { group, url: QueueUrl as string, arn: Attributes?.QueueArn as string };
    }),
  );
  for (const pattern of Object.values(interruptionEventPatterns)) {
    const rule = uniqueName("rule");
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await events.send(
      new PutTargetsCommand({
        Rule: rule,
        EventBusName: bus,
        Targets: queues.map((q, i) => ({ Id: `group-${i}`, Arn: q.arn })),
      }),
    );
  }
  const receive = async (url: string) => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    return (Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}") as { detail: unknown });
  };
  return { events, bus, queues, receive };
}

describe("one rule set per region feeding each cluster group's queue, in the AWS emulator", () => {
  it("delivers a region's spot warning to every group of that region, and to no other region's", async () => {
    const [west, east] = await Promise.all(plan.map(wireRegion));
    if (!west || !east) throw new Error("the plan has two regions");
    expect(east.queues).toHaveLength(2);
    const spot = awsEvent("spot-interruption");
    const put = await east.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: east.bus,
            Source: spot.source as string,
            DetailType: spot["detail-type"] as string,
            Detail: JSON.stringify(spot.detail),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    for (const queue of east.queues)
      expect((await east.receive(queue.url)).map((m) => m.detail)).toEqual([spot.detail]);
    for (const queue of west.queues) expect(await west.receive(queue.url)).toEqual([]);
  });
});
