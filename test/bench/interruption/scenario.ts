import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AppsV1Api, CoreV1Api, KubeConfig, PolicyV1Api } from "@kubernetes/client-node";
import { mapLimit } from "../../../functions/core/concurrency.ts";
import { deployment } from "../../fixtures/workloads.ts";
import { createSimulatedNode } from "../../testbed/nodes.ts";

export interface ScenarioSize {
  nodes: number;
  deployments: number;
  podsPerNode: number;
}

export interface Scenario {
  namespace: string;
  lostNodes: { name: string; instanceId: string }[];
  queue: { url: string; arn: string };
  /** The drain stage's queue (stacks/interruptions.ts). */
  drainQueue: { url: string; arn: string };
  dlqUrl: string;
  pods: number;
}

/**
 * A simulated AZ loss: `nodes` spot nodes in us-east-2a, named after their EC2 instances' private DNS
 * names (as EKS names nodes), running Deployments guarded by PDBs; as many spare nodes in other AZs
 * take the replacements. Every tool under test meets the same cluster, queue and emulator.
 */
export async function buildScenario(
  kubeconfigPath: string,
  size: ScenarioSize,
  log: (m: string) => void,
  /** Tags the lost instances as EKS tags a cluster's nodes, so routing can tell clusters apart. */
  eksCluster?: string,
): Promise<Scenario> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const ec2 = new EC2Client({});
  const sqs = new SQSClient({});

  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12c6146b",
      InstanceType: "m6i.xlarge",
      MinCount: size.nodes,
      MaxCount: size.nodes,
      Placement: { AvailabilityZone: "us-east-2a" },
      ...(eksCluster && {
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "eks:cluster-name", Value: eksCluster }] }],
      }),
    }),
  );
  const ids = (run.Instances ?? []).map((i) => i.InstanceId ?? "");
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  const instances = (described.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const lostNodes = instances.map((i) => ({ name: i.PrivateDnsName ?? "", instanceId: i.InstanceId ?? "" }));
  await mapLimit(lostNodes, 20, (n) =>
    createSimulatedNode(core, {
      instanceId: n.instanceId,
      name: n.name,
      zone: "us-east-2a",
      labels: { "bench/pool": "lost" },
    }),
  );
  log(`${lostNodes.length} spot nodes Ready`);

  const namespace = "bench";
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitFor(() => core.readNamespacedServiceAccount({ name: "default", namespace }).then(() => true));
  const replicas = Math.round((size.nodes * size.podsPerNode) / size.deployments);
  await mapLimit([...Array(size.deployments).keys()], 10, async (i) => {
    const name = `svc-${i}`;
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment(name, replicas, undefined, { onePerNode: false }),
    });
    await policy.createNamespacedPodDisruptionBudget({
      namespace,
      body: { metadata: { name }, spec: { maxUnavailable: "10%", selector: { matchLabels: { app: name } } } },
    });
  });
  const pods = replicas * size.deployments;
  // Counted without listing the pods: at 30,000 pods a full list every few seconds was itself a large
  // share of what slowed their start. Every replica created (the Deployments' status), and no pod that is
  // not Running (a list of at most one).
  await waitFor(
    async () => {
      const list = await apps.listNamespacedDeployment({ namespace });
      const created = list.items.reduce((sum, d) => sum + (d.status?.replicas ?? 0), 0);
      const ready = list.items.reduce((sum, d) => sum + (d.status?.readyReplicas ?? 0), 0);
      const notRunning = await core.listNamespacedPod({ namespace, fieldSelector: "status.phase!=Running", limit: 1 });
      log(`${created}/${pods} pods created, ${ready} Ready`);
      return created === pods && notRunning.items.length === 0;
    },
    // 30,000 pods (1,000 nodes) take the scheduler and kwok minutes on two cores.
    Math.max(300_000, pods * 40),
    3_000,
  );
  // The disruption controller has one worker for every budget: at 30,000 pods it had not counted all 30
  // within 120 s of the last pod Running.
  await waitFor(
    async () => {
      const list = await policy.listNamespacedPodDisruptionBudget({ namespace });
      const counted = list.items.filter((b) => (b.status?.disruptionsAllowed ?? 0) > 0).length;
      log(`${counted}/${list.items.length} budgets allow disruptions`);
      return counted === list.items.length;
    },
    Math.max(120_000, pods * 20),
    3_000,
  );

  // Spare capacity elsewhere, added after the pods landed so that all of them sit on the spot nodes.
  await mapLimit([...Array(size.nodes).keys()], 20, (i) =>
    createSimulatedNode(core, {
      instanceId: `i-${(0xa000000 + i).toString(16).padStart(17, "0")}`,
      name: `spare-${i}.us-east-2.compute.internal`,
      zone: i % 2 ? "us-east-2b" : "us-east-2c",
      capacity: { cpu: "8", pods: "110" },
    }),
  );
  log(`${size.nodes} spare nodes Ready`);

  const dlq = await queue(sqs, "bench-dlq");
  const main = await queue(sqs, "bench-interruptions", {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 10 }),
  });
  const drains = await queue(sqs, "bench-drains", {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 10 }),
  });
  return { namespace, lostNodes, queue: main, drainQueue: drains, dlqUrl: dlq.url, pods };
}

/** Puts one spot interruption warning per lost node into the queue, as fast as SQS takes them. */
export async function sendSpotWarnings(scenario: Scenario, lostNodes = scenario.lostNodes): Promise<void> {
  const sqs = new SQSClient({});
  const bodies = lostNodes.map((n) =>
    JSON.stringify({
      version: "0",
      id: crypto.randomUUID(),
      "detail-type": "EC2 Spot Instance Interruption Warning",
      source: "aws.ec2",
      account: "123456789012",
      time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      region: process.env.AWS_REGION,
      resources: [`arn:aws:ec2:us-east-2a:instance/${n.instanceId}`],
      detail: { "instance-id": n.instanceId, "instance-action": "terminate" },
    }),
  );
  const batches = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  await Promise.all(
    batches.map((batch) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: scenario.queue.url,
          Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      ),
    ),
  );
}

async function queue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "180", ...attributes } }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? "" };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 120_000, intervalMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error("scenario did not settle in time");
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
