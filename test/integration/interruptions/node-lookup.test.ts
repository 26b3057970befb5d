import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiserverHost, countRequests } from "../../bench/interruption/requests.ts";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import { pollOnce } from "../../helpers/lambda.ts";
import { createNamespace, createNode, endpoints, kube, uniqueName } from "../../helpers/testbed.ts";

// A node is found by its name, the instance's private DNS name as EKS names it, with one read; nodes
// registered without a providerID are found through EC2's DNS names for the instance.
describe("finding the node of an instance", () => {
  const { core } = kube();
  const ec2 = new EC2Client({});
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  let namespace: string;
  const nodes: string[] = [];

  beforeAll(async () => {
    rig = await interruptionRig();
    namespace = await createNamespace(core, "lookup");
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  async function instance() {
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: "ami-12c6146b", MinCount: 1, MaxCount: 1, InstanceType: "m6i.xlarge" }),
    );
    const id = run.Instances?.[0]?.InstanceId ?? "";
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return { id, dns: described.Reservations?.[0]?.Instances?.[0]?.PrivateDnsName ?? "" };
  }

  it.each([
    ["the private DNS name", (dns: string) => dns],
    ["the short hostname", (dns: string) => dns.split(".")[0] ?? dns],
  ])("matches a node named by %s", async (_, nodeName) => {
    const { id, dns } = await instance();
    expect(dns).toMatch(/^ip-/);
    const selector = { "harbormaster.test/pool": uniqueName("lookup") };
    const node = await createNode(core, { instanceId: id, name: nodeName(dns), providerId: false, labels: selector });
    const name = node.metadata?.name ?? "";
    nodes.push(name);
    await workload(namespace, uniqueName("app"), 1, selector);

    await rig.put(eventFor(awsEvent("spot-interruption"), id));
    expect((await rig.poll()).failed).toEqual([]);
    expect((await core.readNode({ name })).spec?.unschedulable).toBe(true);
    expect(await podsOnNode(name)).toHaveLength(0);
  });

  it("finds nodes named after their instances with one read each and never lists the cluster's nodes", async () => {
    const instances = await Promise.all([instance(), instance(), instance()]);
    const selector = { "harbormaster.test/pool": uniqueName("named") };
    for (const { id, dns } of instances) {
      await createNode(core, { instanceId: id, name: dns, labels: selector });
      nodes.push(dns);
    }
    await workload(namespace, uniqueName("app"), 3, selector);
    // A fresh environment: nothing mapped yet, as in the first batch of a burst.
    const handler = rig.newHandler();
    for (const { id } of instances) await rig.put(eventFor(awsEvent("spot-interruption"), id));

    const counting = countRequests([apiserverHost(endpoints().kubeconfigPath)]);
    const batch = await pollOnce(rig.sqs, rig.queue.url, rig.queue.arn, handler, { batchWindowMs: 3_000 });
    const counts = counting.stop();
    expect(batch.received).toHaveLength(instances.length);
    const failed = batch.failed;
    expect(failed).toEqual([]);
    for (const { dns } of instances) {
      expect((await core.readNode({ name: dns })).spec?.unschedulable).toBe(true);
      expect(await podsOnNode(dns)).toHaveLength(0);
    }
    expect(counts.byKind["GET node list"] ?? 0).toBe(0);
    expect(counts.byKind["GET node"]).toBeGreaterThanOrEqual(instances.length);
  });
});
