// The resource graph of sst.config.ts for three clusters (test/helpers/stack-graph) replayed into the AWS
// emulator: its queues, queue policies, rules and targets created with the inputs Pulumi recorded, in their
// regions. A spot warning put on the bus then reaches the queue the interruption function's event-source
// mapping reads: the wiring, not just the pieces. The one input not from the recording is the event bus:
// each run gets its own, so events other test files put on the default bus stay out.
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { threeClusters } from "../../helpers/stack-graph/configs.ts";
import { type StackGraph, stackGraph } from "../../helpers/stack-graph/graph.ts";
import { types } from "../../helpers/stack-graph/wiring.ts";
import { uniqueName } from "../../helpers/testbed.ts";

let graph: StackGraph;
const bus = uniqueName("replay");
// The recorded queue URLs are AWS's; the emulator answers for them at the SDK's configured endpoint.
const clients = (region: string) => ({
  sqs: new SQSClient({ region, useQueueUrlAsEndpoint: false }),
  events: new EventBridgeClient({ region }),
});

/** aws.sqs.Queue's inputs as SQS attributes (what the provider's CreateQueue sends). */
function queueAttributes(inputs: Record<string, unknown>): Record<string, string> {
  const names: Record<string, string> = {
    visibilityTimeoutSeconds: "VisibilityTimeout",
    messageRetentionSeconds: "MessageRetentionPeriod",
    delaySeconds: "DelaySeconds",
    redrivePolicy: "RedrivePolicy",
    fifoQueue: "FifoQueue",
    contentBasedDeduplication: "ContentBasedDeduplication",
  };
  return Object.fromEntries(
    Object.entries(names)
      .filter(([input]) => inputs[input] !== undefined && !(input === "fifoQueue" && inputs[input] === false))
      .filter(([input]) => !(input === "contentBasedDeduplication" && inputs.fifoQueue !== true))
      .map(([input, attribute]) => [attribute, String(inputs[input])]),
  );
}

async function replay(g: StackGraph) {
  const regions = [...new Set(g.of(types.rule).map((r) => r.region))];
  await Promise.all(regions.map((region) => clients(region).events.send(new CreateEventBusCommand({ Name: bus }))));
  // Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
  const queues = [...g.of(types.queue)].sort(
    (a, b) => Number(Boolean(a.inputs.redrivePolicy)) - Number(Boolean(b.inputs.redrivePolicy)),
  );
  for (const q of queues)
    await clients(q.region).sqs.send(
      new CreateQueueCommand({ QueueName: String(q.inputs.name), Attributes: queueAttributes(q.inputs) }),
    );
  for (const p of g.of("aws:sqs/queuePolicy:QueuePolicy"))
    await clients(p.region).sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: String(p.inputs.queueUrl),
        Attributes: { Policy: String(p.inputs.policy) },
      }),
    );
  for (const r of g.of(types.rule))
    await clients(r.region).events.send(
      new PutRuleCommand({
        Name: String(r.outputs.name),
        EventBusName: bus,
        EventPattern: String(r.inputs.eventPattern),
      }),
    );
  for (const t of g.of(types.target))
    await clients(t.region).events.send(
      new PutTargetsCommand({
        Rule: String(t.inputs.rule),
        EventBusName: bus,
        Targets: [{ Id: t.name, Arn: String(t.inputs.arn) }],
      }),
    );
}

/** The queue each interruption function's event-source mapping reads, with the function's region. */
function interruptionQueues(g: StackGraph) {
  return g.of(types.mapping).flatMap((m) => {
    const fn = g.byArn(m.inputs.functionName);
    const queue = g.byArn(m.inputs.eventSourceArn);
    return fn?.inputs.handler === "functions/interruptions.handler" && queue
      ? [{ function: fn.parent?.name, region: queue.region, url: String(queue.outputs.url) }]
      : [];
  });
}

async function receive(region: string, url: string) {
  const { Messages } = await clients(region).sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
  );
  return (Messages ?? []).map((m) => (JSON.parse(m.Body ?? "{}") as { detail: unknown }).detail);
}

beforeAll(async () => {
  graph = await stackGraph(threeClusters);
  await replay(graph);
}, 300_000);

describe("the stack graph for three clusters, replayed into the AWS emulator", () => {
  it("delivers a us-east-2 spot warning to the queue each us-east-2 interruption function reads, and to none in eu-west-1", async () => {
    const spot = awsEvent("spot-interruption");
    const put = await clients("us-east-2").events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: spot.source as string,
            DetailType: spot["detail-type"] as string,
            Detail: JSON.stringify(spot.detail),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const read = interruptionQueues(graph);
    expect(read.map((q) => q.region).sort()).toEqual(["eu-west-1", "us-east-2", "us-east-2"]);
    for (const q of read)
      expect({ function: q.function, detail: await receive(q.region, q.url) }).toEqual({
        function: q.function,
        detail: q.region === "us-east-2" ? [spot.detail] : [],
      });
  });
});
