// The cordon limit for a tool that learns of the loss from the queue, as every tool here must: the
// warnings arrive through the same emulated SQS, and an instance id becomes a node name through EC2's
// private DNS name. Nothing else: no routing, no node state, no lease, no announcement. Ten receivers
// (each at most 10 messages a call, no batching window), one DescribeInstances per batch, one merge patch
// per node. The bare arm (bare.ts), which knows the nodes up front, is the limit with the queue taken away.
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type KubeApi, mergePatchType } from "../../../functions/adapters/kubernetes/api.ts";
import type { Scenario } from "./scenario.ts";

const receivers = 10;

/** Resolves once every lost node is cordoned, or `running()` turns false. */
export async function cordonFromQueue(api: KubeApi, scenario: Scenario, running: () => boolean): Promise<void> {
  const sqs = new SQSClient({});
  const ec2 = new EC2Client({});
  let cordoned = 0;
  const wanted = scenario.lostNodes.length;
  await Promise.all(
    [...Array(receivers).keys()].map(async () => {
      while (running() && cordoned < wanted) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: scenario.queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (Messages.length === 0) continue;
        const ids = Messages.map((m) => JSON.parse(m.Body ?? "{}") as { detail?: { "instance-id"?: string } })
          .map((body) => body.detail?.["instance-id"] ?? "")
          .filter(Boolean);
        const described = await ec2.send(
          new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: ids }] }),
        );
        const names = (described.Reservations ?? []).flatMap((r) =>
          (r.Instances ?? []).map((i) => i.PrivateDnsName ?? ""),
        );
        await Promise.all(
          names.map((name) =>
            api.send("PATCH", `/api/v1/nodes/${name}`, {
              body: { spec: { unschedulable: true } },
              contentType: mergePatchType,
              timeoutMs: 30_000,
            }),
          ),
        );
        cordoned += names.length;
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: scenario.queue.url,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }),
  );
}
