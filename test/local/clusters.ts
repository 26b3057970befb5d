// The clusters one local stack serves (blue and green under npm start): each gets its simulated nodes, as
// tagged EC2 instances in the emulator, and the dev overlay; the functions get them all in their env.
import { EC2Client } from "@aws-sdk/client-ec2";
import { AutoscalingV2Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { deleteAll, type Manifest } from "../helpers/k8s-manifests.ts";
import { applyDevOverlay, createNodes, type LocalNode, type NodeTarget, terminateInstances } from "./cluster.ts";

/** A cluster to run on: its Harbormaster name and its apiserver. */
export interface ClusterInput {
  name: string;
  kubeconfigPath: string;
}

/** What a scenario needs of a cluster; serialisable, so the start command writes it to its info file. */
export interface LocalClusterInfo extends ClusterInput {
  /** The EKS name its instances are tagged with (`eks:cluster-name`). */
  eksCluster: string;
  /** Its nodes; scenarios add the replacements they bring, so cleanup sees them too. */
  nodes: LocalNode[];
  /** Its own ad server and Scissors processes, when the stack runs the services. */
  adserverUrl?: string;
  scissorsUrl?: string;
}

export interface LocalCluster {
  info: LocalClusterInfo;
  kc: KubeConfig;
  core: CoreV1Api;
  autoscaling: AutoscalingV2Api;
  objects: Manifest[];
}

/** `harbormaster-blue` for the start command; a test's run gets EKS names of its own. */
export function eksClusterName(name: string, runId?: string): string {
  return `${runId ?? "harbormaster"}-${name}`;
}

export function nodeTarget(info: LocalClusterInfo, ec2: EC2Client, runId?: string): NodeTarget {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfigPath);
  return { core: kc.makeApiClient(CoreV1Api), ec2, eksCluster: info.eksCluster, runId };
}

/**
 * Nodes and the dev overlay in every cluster at once. `runId` isolates a test's run on a shared cluster. If
 * one cluster fails, the others that were set up are torn down before the error is thrown.
 */
export async function setUpClusters(inputs: readonly ClusterInput[], runId?: string): Promise<LocalCluster[]> {
  const ec2 = new EC2Client({});
  const results = await Promise.allSettled(
    inputs.map(async (input) => {
      const kc = new KubeConfig();
      kc.loadFromFile(input.kubeconfigPath);
      const eksCluster = eksClusterName(input.name, runId);
      const core = kc.makeApiClient(CoreV1Api);
      const nodes = await createNodes({ core, ec2, eksCluster, runId });
      const objects = await applyDevOverlay(kc, runId);
      const info = { ...input, eksCluster, nodes };
      return { info, kc, core, autoscaling: kc.makeApiClient(AutoscalingV2Api), objects };
    }),
  );
  const set = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r) => r.status === "rejected");
  if (!failed) return set;
  await tearDownClusters(set);
  throw failed.reason;
}

/** A test's run leaves each cluster as it found it: its objects, nodes and their instances go. */
export async function tearDownClusters(clusters: readonly LocalCluster[]): Promise<void> {
  const ec2 = new EC2Client({});
  await Promise.allSettled(
    clusters.map(async ({ info, kc, core, objects }) => {
      await deleteAll(kc, objects);
      await Promise.allSettled(info.nodes.map((n) => core.deleteNode({ name: n.name })));
      await terminateInstances(ec2, info.nodes);
    }),
  );
}

/** HARBORMASTER_CLUSTERS, as the interruption and pre-scaling functions read it (functions/config/clusters.ts). */
export function clustersEnv(clusters: readonly LocalClusterInfo[]): string {
  return JSON.stringify(
    Object.fromEntries(clusters.map((c) => [c.name, { eksCluster: c.eksCluster, kubeconfig: c.kubeconfigPath }])),
  );
}
