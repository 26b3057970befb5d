import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInterruptionHandler } from "../../../functions/adapters/interruption-wiring.ts";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { eventFor } from "../../helpers/interruptions.ts";
import { lambdaContext } from "../../helpers/lambda.ts";
import { slackRig } from "../../helpers/slack-rig.ts";
import { createNode, endpoints, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

function sqsEvent(...events: Record<string, unknown>[]): SQSEvent {
  return {
    Records: events.map((event) => ({
      messageId: crypto.randomUUID(),
      receiptHandle: "r",
      body: JSON.stringify(event),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "0",
        SenderId: "t",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-2:123456789012:interruptions",
      awsRegion: "us-east-2",
    })),
  } as SQSEvent;
}

describe("the interruption handler notifying through Slack", () => {
  const { core } = kube();
  let rig: Awaited<ReturnType<typeof slackRig>>;
  let dlqUrl: string;

  beforeAll(async () => {
    rig = await slackRig({
      env: { HARBORMASTER_SLACK_ROUTES: JSON.stringify([{ cluster: "testbed", channel: "C0TESTBED" }]) },
    });
    ({ QueueUrl: dlqUrl = "" } = await new SQSClient({}).send(
      new CreateQueueCommand({ QueueName: uniqueName("dlq") }),
    ));
  });
  afterAll(() => rig.close());

  const handler = (slackQueueUrl: string) =>
    createInterruptionHandler({
      AWS_REGION: process.env.AWS_REGION,
      KUBECONFIG: endpoints().kubeconfigPath,
      HARBORMASTER_CLUSTER_NAME: "testbed",
      HARBORMASTER_DEAD_LETTER_QUEUE_URL: dlqUrl,
      HARBORMASTER_SLACK_QUEUE_URL: slackQueueUrl,
    });

  it("makes one thread, in the cluster's channel, of a rebalance, a spot warning and a state change", async () => {
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId });
    const name = node.metadata?.name ?? "";
    const interruptions = handler(rig.queueUrl);
    for (const fixture of ["rebalance-recommendation", "spot-interruption", "state-change-shutting-down"] as const) {
      const response = await interruptions(sqsEvent(eventFor(awsEvent(fixture), instanceId)), lambdaContext());
      expect(response.batchItemFailures).toEqual([]);
    }
    await rig.drainWorker();
    const mine = rig.slack.messages.filter(
      (m) => JSON.stringify(m.blocks).includes(instanceId) || m.text.includes(instanceId),
    );
    const parents = mine.filter((m) => !m.threadTs);
    expect(parents.map((p) => p.channel)).toEqual(["C0TESTBED"]);
    const steps = mine.filter((m) => m.threadTs === parents[0]?.ts);
    // The rebalance's cordon opened the thread; the spot warning's drain and the state change joined it.
    expect(steps.map((s) => s.text)).toContain(`drain_completed for ${instanceId} on testbed`);
    expect(parents[0]?.text).toContain(` · testbed · ${instanceId} · node ${name}: `);
    expect(parents[0]?.updates).toBe(steps.length);
    expect(JSON.stringify(parents[0]?.blocks)).toContain("drained in");
    await core.deleteNode({ name }).catch(() => {});
  });

  it("drains while the Slack queue is unreachable: the notification is dropped, the drain is not", async () => {
    const instanceId = randomInstanceId();
    const node = await createNode(core, { instanceId });
    const name = node.metadata?.name ?? "";
    const interruptions = handler("http://127.0.0.1:9/123456789012/unreachable.fifo");
    const response = await interruptions(
      sqsEvent(eventFor(awsEvent("spot-interruption"), instanceId)),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    await eventually(async () => expect((await core.readNode({ name })).spec?.unschedulable).toBe(true));
    await core.deleteNode({ name }).catch(() => {});
  });
});
