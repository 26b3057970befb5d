import { AutoScalingClient, CreateOrUpdateTagsCommand } from "@aws-sdk/client-auto-scaling";
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEvent } from "../../fixtures/aws-events.ts";
import { pdb } from "../../fixtures/workloads.ts";
import { autoScalingGroup, lifecycleCalls, pendingLifecycleAction } from "../../helpers/autoscaling.ts";
import { eventFor, interruptionRig, podsOnNode, workload } from "../../helpers/interruptions.ts";
import {
  createCluster,
  createNamespace,
  createNode,
  endpoints,
  eventually,
  type Kube,
  kube,
  randomInstanceId,
  uniqueName,
} from "../../helpers/testbed.ts";

// One deployment, two clusters, one queue: the shared testbed is blue, a second control plane is green.
describe("one deployment serves every cluster", () => {
  const blue = { name: "blue", eks: uniqueName("eks-blue"), kube: kube() };
  const green = { name: "green", eks: uniqueName("eks-green"), kube: undefined as unknown as Kube };
  let cluster: Awaited<ReturnType<typeof createCluster>>;
  let rig: Awaited<ReturnType<typeof interruptionRig>>;
  const namespaces = new Map<Kube, string>();
  const ec2 = new EC2Client({});

  beforeAll(async () => {
    cluster = await createCluster();
    green.kube = kube(cluster.kubeconfigPath);
    for (const k of [blue.kube, green.kube]) namespaces.set(k, await createNamespace(k.core, "multi"));
    rig = await interruptionRig({
      HARBORMASTER_CLUSTERS: JSON.stringify({
        blue: { eksCluster: blue.eks, kubeconfig: endpoints().kubeconfigPath },
        green: { eksCluster: green.eks, kubeconfig: cluster.kubeconfigPath },
      }),
      HARBORMASTER_DEADLINES: JSON.stringify({ lifecycleDrainMs: 60_000 }),
    });
  }, 120_000);

  afterAll(async () => {
    await blue.kube.core.deleteNamespace({ name: namespaces.get(blue.kube) ?? "" }).catch(() => {});
    await cluster?.close();
  });

  /** An EC2 instance in the emulator, tagged as EKS tags its cluster's nodes. */
  async function instance(eksCluster: string | undefined): Promise<string> {
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12c6146b",
        InstanceType: "m6i.xlarge",
        MinCount: 1,
        MaxCount: 1,
        ...(eksCluster
          ? {
              TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "eks:cluster-name", Value: eksCluster }] }],
            }
          : {}),
      }),
    );
    return run.Instances?.[0]?.InstanceId ?? "";
  }

  /** A node of the instance in `k`'s cluster, running one pod of its own Deployment. */
  async function nodeWithPod(k: Kube, instanceId: string) {
    const pool = uniqueName("pool");
    const node = await createNode(k.core, { instanceId, labels: { "harbormaster.test/pool": pool } });
    const name = node.metadata?.name ?? "";
    await workload(namespaces.get(k) ?? "", pool, 1, { "harbormaster.test/pool": pool }, undefined, k);
    return { instanceId, name };
  }

  const readNode = (k: Kube, name: string) => k.core.readNode({ name });
  const drained = async (k: Kube, name: string) => {
    const node = await readNode(k, name);
    const pods = (await podsOnNode(name, k.core)).filter((p) => !p.metadata?.deletionTimestamp);
    return Boolean(node.spec?.unschedulable) && pods.length === 0;
  };
  const queueDepth = async () => {
    const { Attributes } = await rig.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: rig.queue.url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  };
  const warn = (instanceId: string) => rig.put(eventFor(awsEvent("spot-interruption"), instanceId));

  it("drains each node in its own cluster only, and deletes a third cluster's warnings on first receive", async () => {
    const blues = await Promise.all([1, 2].map(async () => nodeWithPod(blue.kube, await instance(blue.eks))));
    const greens = await Promise.all([1, 2].map(async () => nodeWithPod(green.kube, await instance(green.eks))));
    const foreignId = await instance(uniqueName("eks-unconfigured"));
    // A bystander node: routing another cluster's warning must touch nothing here.
    const foreignNode = await createNode(blue.kube.core, { instanceId: randomInstanceId() });
    for (const n of [...blues, ...greens]) await warn(n.instanceId);
    await warn(foreignId);

    const first = await rig.poll({ waitSeconds: 2 });
    expect(first.received.length).toBeGreaterThanOrEqual(3);
    let rounds = 0;
    while ((await queueDepth()) > 0 && rounds++ < 20) await rig.poll();

    for (const n of blues) expect(await drained(blue.kube, n.name)).toBe(true);
    for (const n of greens) expect(await drained(green.kube, n.name)).toBe(true);
    // Neither cluster has the other's nodes, and nothing else was cordoned.
    for (const n of greens) await expect(readNode(blue.kube, n.name)).rejects.toThrow();
    for (const n of blues) await expect(readNode(green.kube, n.name)).rejects.toThrow();
    expect((await readNode(blue.kube, foreignNode.metadata?.name ?? "")).spec?.unschedulable).toBeFalsy();
    expect(await rig.dlqMessages()).toEqual([]);
    const byCluster = new Map(rig.notifications.map((n) => [n.instanceId, n.cluster]));
    for (const n of blues) expect(byCluster.get(n.instanceId)).toBe("blue");
    for (const n of greens) expect(byCluster.get(n.instanceId)).toBe("green");
    expect(byCluster.has(foreignId)).toBe(false);
  }, 120_000);

  it("deletes at once a warning for an instance that no cluster and no EC2 record knows, touching no node", async () => {
    // Bystanders in both clusters; green is this file's own, so all of its nodes must stay as they were.
    const sentinels = await Promise.all(
      [blue.kube, green.kube].map(
        async (k) => (await createNode(k.core, { instanceId: randomInstanceId() })).metadata?.name ?? "",
      ),
    );
    const cordoned = async (k: Kube) =>
      (await k.core.listNode()).items.filter((n) => n.spec?.unschedulable).map((n) => n.metadata?.name);
    const greenBefore = await cordoned(green.kube);
    const unknown = randomInstanceId();
    await warn(unknown);
    const { received, failed } = await rig.poll({ waitSeconds: 2 });
    expect(received).toHaveLength(1);
    expect(failed).toEqual([]);
    expect(await queueDepth()).toBe(0);
    for (const [i, k] of [blue.kube, green.kube].entries()) {
      const node = await readNode(k, sentinels[i] ?? "");
      expect(node.spec?.unschedulable).toBeFalsy();
      expect(node.metadata?.annotations?.["harbormaster.io/interruption"]).toBeUndefined();
    }
    expect(await cordoned(green.kube)).toEqual(greenBefore);
    expect(rig.notifications.some((n) => n.instanceId === unknown)).toBe(false);
    expect(await rig.dlqMessages()).toEqual([]);
  }, 60_000);

  it("completes each cluster's ASG lifecycle hook exactly once", async () => {
    const autoscaling = new AutoScalingClient({});
    // Blue's group is routed by its tags, green's by the same: neither is listed in the config.
    const groups = { blue: await autoScalingGroup(), green: await autoScalingGroup() };
    await tagGroup(autoscaling, groups.blue, blue.eks);
    await tagGroup(autoscaling, groups.green, green.eks);
    const b = await nodeWithPod(blue.kube, randomInstanceId());
    const g = await nodeWithPod(green.kube, randomInstanceId());
    const tokens = {
      blue: await pendingLifecycleAction(groups.blue, "drain-hook", b.instanceId),
      green: await pendingLifecycleAction(groups.green, "drain-hook", g.instanceId),
    };
    for (const [side, n] of [
      ["blue", b],
      ["green", g],
    ] as const) {
      const event = eventFor(awsEvent("asg-lifecycle-terminate"), n.instanceId);
      Object.assign(event.detail as object, {
        EC2InstanceId: n.instanceId,
        LifecycleActionToken: tokens[side],
        AutoScalingGroupName: groups[side],
        LifecycleHookName: "drain-hook",
      });
      await rig.put(event);
    }
    let rounds = 0;
    while ((await queueDepth()) > 0 && rounds++ < 20) await rig.poll();
    expect(await drained(blue.kube, b.name)).toBe(true);
    expect(await drained(green.kube, g.name)).toBe(true);
    for (const token of Object.values(tokens)) {
      const completions = (await lifecycleCalls(token)).filter((c) => c.action === "CompleteLifecycleAction");
      expect(completions.map((c) => [c.params.LifecycleActionResult, c.outcome])).toEqual([["CONTINUE", "success"]]);
    }
  }, 120_000);

  // Last: after its apiserver restarts, green's kwok takes a while to reconnect its watches.
  it("drains one cluster on time while the other's apiserver stops mid-batch, and finishes the other after restart", async () => {
    const b = await nodeWithPod(blue.kube, await instance(blue.eks));
    const g = await nodeWithPod(green.kube, await instance(green.eks));
    // Green's pod is held by its budget, so green's drain is still running when its apiserver goes away.
    const greenApp = (await podsOnNode(g.name, green.kube.core))[0]?.metadata?.labels?.app ?? "";
    await green.kube.policy.createNamespacedPodDisruptionBudget({
      namespace: namespaces.get(green.kube) ?? "",
      body: pdb(greenApp, 1),
    });
    await warn(b.instanceId);
    await warn(g.instanceId);
    const started = Date.now();
    const polling = rig.poll({ waitSeconds: 2, remainingMs: 60_000 });
    await eventually(async () => {
      if (!(await readNode(green.kube, g.name)).spec?.unschedulable) throw new Error("green not cordoned yet");
    });
    await cluster.stop("kube-apiserver");
    const blueDrainedMs = await eventually(async () => {
      if (!(await drained(blue.kube, b.name))) throw new Error("blue not drained yet");
      return Date.now() - started;
    });
    const { received, failed } = await polling;
    // Blue was drained within seconds, long before the invocation gave green up and answered.
    expect(blueDrainedMs).toBeLessThan(10_000);
    expect(received).toHaveLength(2);
    expect(failed).toHaveLength(1);

    await cluster.start("kube-apiserver");
    await green.kube.policy.deleteNamespacedPodDisruptionBudget({
      name: greenApp,
      namespace: namespaces.get(green.kube) ?? "",
    });
    await eventually(
      async () => {
        await rig.poll();
        if (!(await drained(green.kube, g.name))) throw new Error("green not drained yet");
      },
      90_000,
      500,
    );
    expect(await rig.dlqMessages()).toEqual([]);
  }, 240_000);
});

async function tagGroup(client: AutoScalingClient, group: string, eksCluster: string) {
  await client.send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceId: group,
          ResourceType: "auto-scaling-group",
          Key: "eks:cluster-name",
          Value: eksCluster,
          PropagateAtLaunch: true,
        },
      ],
    }),
  );
}
