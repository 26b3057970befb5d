import type { CoreV1Api, V1Node, V1Taint } from "@kubernetes/client-node";
import { kwokNodeAnnotation } from "./components/kwok.ts";

export interface SimulatedNodeOptions {
  instanceId: string;
  /** Defaults to the EC2 private DNS name EKS nodes are named after. */
  name?: string;
  zone?: string;
  labels?: Record<string, string>;
  taints?: V1Taint[];
  /** false: register without spec.providerID, as some self-managed nodes do. */
  providerId?: false;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  /** Wait until kwok reports the node Ready (default true). */
  waitReady?: boolean;
}

export function privateDnsName(instanceId: string, region: string): string {
  // EC2's ip-a-b-c-d names are derived from the address; derive a stable fake address from the id.
  const n = Number.parseInt(instanceId.replace(/^i-/, "").slice(-6), 16) || 1;
  return `ip-10-${(n >> 16) & 255}-${(n >> 8) & 255}-${n & 255}.${region}.compute.internal`;
}

export function simulatedNode(options: SimulatedNodeOptions): V1Node {
  const zone = options.zone ?? "us-east-2a";
  const region = zone.replace(/[a-z]$/, "");
  const name = options.name ?? privateDnsName(options.instanceId, region);
  const capacity = { cpu: "4", memory: "16Gi", pods: "110", ...options.capacity };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [kwokNodeAnnotation.key]: kwokNodeAnnotation.value },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "m6i.xlarge",
        "topology.kubernetes.io/region": region,
        "topology.kubernetes.io/zone": zone,
        type: "kwok",
        ...options.labels,
      },
    },
    spec: {
      providerID: options.providerId === false ? undefined : `aws:///${zone}/${options.instanceId}`,
      taints: options.taints ?? [],
    },
    status: { capacity, allocatable: capacity },
  };
}

export async function createSimulatedNode(core: CoreV1Api, options: SimulatedNodeOptions): Promise<V1Node> {
  const created = await core.createNode({ body: simulatedNode(options) });
  const name = created.metadata?.name ?? "";
  if (options.waitReady === false) return created;
  return waitForNode(core, name, isReady);
}

// Ready as the scheduler sees it: the condition is True and the node lifecycle controller has lifted
// the not-ready taint every new node starts with.
export function isReady(node: V1Node): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const tainted = node.spec?.taints?.some((t) => t.key === "node.kubernetes.io/not-ready") ?? false;
  return ready && !tainted;
}

export async function waitForNode(
  core: CoreV1Api,
  name: string,
  condition: (node: V1Node) => boolean,
  timeoutMs = 30_000,
): Promise<V1Node> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const node = await core.readNode({ name });
    if (condition(node)) return node;
    if (Date.now() > deadline) throw new Error(`node ${name} did not reach the expected state in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
