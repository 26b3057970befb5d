// A simulated cluster a newcomer's Harbormaster runs against: kwok nodes in three zones, a general pool of
// spot nodes and a dedicated pool for Scissors behind its taint, with the dev overlay applied to them. Each
// node is an EC2 instance in the emulator, tagged with its EKS cluster's name and named after the instance,
// so the functions find a node's cluster by its instance's tags, as they do in AWS.
import { type EC2Client, RunInstancesCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import type { CoreV1Api, KubeConfig, V1Taint } from "@kubernetes/client-node";
import { applyAll, buildOverlay, isolate, type Manifest, runKey } from "../helpers/k8s-manifests.ts";
import { buildKustomize } from "../testbed/build/kustomize.ts";
import { createSimulatedNode } from "../testbed/nodes.ts";
import { cacheRoot } from "../testbed/paths.ts";
import { silentProgress } from "../testbed/progress.ts";

export const zones = ["us-east-2a", "us-east-2b", "us-east-2c"] as const;
export const scissorsPool = { key: "harbormaster.io/pool", value: "scissors" } as const;
export const capacityTypeLabel = "eks.amazonaws.com/capacityType";
export const poolLabel = "harbormaster.local/pool";

export interface LocalNode {
  name: string;
  instanceId: string;
  zone: string;
  pool: "general" | "scissors";
}

/** Where a node goes: the cluster's API, its EKS name (the instances' `eks:cluster-name` tag) and the run. */
export interface NodeTarget {
  core: CoreV1Api;
  ec2: EC2Client;
  eksCluster: string;
  /** Keeps this run's pods on its own nodes (tests share one cluster); the start command owns its cluster. */
  runId?: string;
}

/** The tag EKS puts on a cluster's instances; the interruption function routes an event to its cluster by it. */
export const eksClusterTag = "eks:cluster-name";

async function launchInstance(target: NodeTarget, zone: string, pool: LocalNode["pool"]) {
  const { Instances = [] } = await target.ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12c6146b",
      InstanceType: pool === "scissors" ? "m6i.2xlarge" : "m6i.xlarge",
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: zone },
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: eksClusterTag, Value: target.eksCluster }] }],
    }),
  );
  const instance = Instances[0];
  if (!instance?.InstanceId || !instance.PrivateDnsName) throw new Error("RunInstances returned no instance");
  return { instanceId: instance.InstanceId, name: instance.PrivateDnsName };
}

/** Terminates the nodes' instances, as the node group does when a test's cluster goes away. */
export async function terminateInstances(ec2: EC2Client, nodes: readonly LocalNode[]): Promise<void> {
  const InstanceIds = nodes.map((n) => n.instanceId);
  if (InstanceIds.length > 0) await ec2.send(new TerminateInstancesCommand({ InstanceIds }));
}

// Real nodes report local disk, and the workloads request some; simulated ones need it said.
const generalCapacity = { cpu: "4", memory: "16Gi", "ephemeral-storage": "100Gi" };
const scissorsCapacity = { cpu: "8", memory: "32Gi", "ephemeral-storage": "100Gi" };

/** Launches an instance and registers its node; also what a scenario calls to bring replacement capacity. */
export async function addNode(target: NodeTarget, pool: LocalNode["pool"], zone: string): Promise<LocalNode> {
  const { core, runId } = target;
  const run: V1Taint[] = runId ? [{ key: runKey, value: runId, effect: "NoSchedule" }] : [];
  const runLabel: Record<string, string> = runId ? { [runKey]: runId } : {};
  const { instanceId, name } = await launchInstance(target, zone, pool);
  const node =
    pool === "scissors"
      ? await createSimulatedNode(core, {
          instanceId,
          name,
          zone,
          labels: {
            ...runLabel,
            [scissorsPool.key]: scissorsPool.value,
            [poolLabel]: pool,
            [capacityTypeLabel]: "ON_DEMAND",
          },
          taints: [...run, { ...scissorsPool, effect: "NoSchedule" }],
          capacity: scissorsCapacity,
        })
      : await createSimulatedNode(core, {
          instanceId,
          name,
          zone,
          labels: { ...runLabel, [poolLabel]: pool, [capacityTypeLabel]: "SPOT" },
          taints: run,
          capacity: generalCapacity,
        });
  return { name: node.metadata?.name ?? "", instanceId, zone, pool };
}

/** `generalPerZone`: spot nodes per zone in the general pool. */
export async function createNodes(target: NodeTarget, generalPerZone = 3): Promise<LocalNode[]> {
  const wanted = zones.flatMap((zone) => [
    addNode(target, "scissors", zone),
    ...Array.from({ length: generalPerZone }, () => addNode(target, "general", zone)),
  ]);
  return Promise.all(wanted);
}

/** Builds k8s/overlays/dev with the testbed's kustomize and server-side applies it. */
export async function applyDevOverlay(kc: KubeConfig, runId?: string): Promise<Manifest[]> {
  const { binary } = await buildKustomize({ progress: silentProgress, root: cacheRoot() });
  const built = await buildOverlay(binary, "dev");
  const objects = runId ? isolate(built, runId) : built;
  await applyAll(kc, objects);
  return objects;
}
