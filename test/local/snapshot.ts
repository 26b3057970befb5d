// What the live view shows, read from every cluster and the emulator on each request: per cluster, nodes with
// their cordon and drain state, pods, drains in progress, HPA floors and free headroom; and rollout weights.
import { ListHostedZonesCommand, ListResourceRecordSetsCommand, type Route53Client } from "@aws-sdk/client-route-53";
import type { AutoscalingV2Api, CoreV1Api, V1Pod } from "@kubernetes/client-node";
import { readState } from "../../functions/core/drain/node-state.ts";
import { capacityTypeLabel, poolLabel } from "./cluster.ts";

export interface NodeView {
  name: string;
  zone: string;
  pool: string;
  capacityType: string;
  cordoned: boolean;
  /** The interruption phase Harbormaster wrote on the node, if any. */
  phase?: string;
  pods: number;
  evicted?: number;
  remaining?: number;
  cpuFree: number;
}

/** One cluster as the live view shows it, labelled with its name and EKS name. */
export interface ClusterSnapshot {
  name: string;
  eksCluster: string;
  nodes: NodeView[];
  /** Live pods on the cluster's (shown) nodes. */
  pods: number;
  drains: { node: string; phase: string; kinds: string[]; evicted: number; remaining: number; deadline: string }[];
  hpas: { name: string; namespace: string; min: number; max: number; current: number; desired: number }[];
  headroom: { placeholders: number; cpuFree: number; cpuAllocatable: number };
}

export interface Snapshot {
  at: number;
  clusters: ClusterSnapshot[];
  rollouts: { name: string; weights: { id: string; weight: number }[] }[];
}

/** A cluster to read: its API clients, and which nodes are this stack's (tests share a cluster). */
export interface ClusterView {
  name: string;
  eksCluster: string;
  core: CoreV1Api;
  autoscaling: AutoscalingV2Api;
  nodeFilter?: (labels: Record<string, string>) => boolean;
}

function cpu(quantity: string | undefined): number {
  if (!quantity) return 0;
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

const live = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";

export async function takeSnapshot(clusters: readonly ClusterView[], route53: Route53Client): Promise<Snapshot> {
  const [views, rollouts] = await Promise.all([
    Promise.all(clusters.map(clusterSnapshot)),
    rolloutWeights(route53).catch(() => []),
  ]);
  return { at: Date.now(), clusters: views, rollouts };
}

async function clusterSnapshot(view: ClusterView): Promise<ClusterSnapshot> {
  const { core, autoscaling, nodeFilter = () => true } = view;
  const [nodeList, podList, hpaList] = await Promise.all([
    core.listNode(),
    core.listPodForAllNamespaces(),
    autoscaling.listHorizontalPodAutoscalerForAllNamespaces(),
  ]);
  const pods = podList.items.filter(live);
  const requested = new Map<string, number>();
  const count = new Map<string, number>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    const cpuRequest = (pod.spec?.containers ?? []).reduce((sum, c) => sum + cpu(c.resources?.requests?.cpu), 0);
    requested.set(node, (requested.get(node) ?? 0) + cpuRequest);
    count.set(node, (count.get(node) ?? 0) + 1);
  }
  const nodes: NodeView[] = [];
  const drains: ClusterSnapshot["drains"] = [];
  for (const node of nodeList.items) {
    const labels = node.metadata?.labels ?? {};
    if (!nodeFilter(labels)) continue;
    const name = node.metadata?.name ?? "";
    const state = readState({
      name,
      annotations: node.metadata?.annotations ?? {},
      labels,
      taints: [],
      ready: true,
      unschedulable: false,
    });
    const allocatable = cpu(node.status?.allocatable?.cpu);
    nodes.push({
      name,
      zone: labels["topology.kubernetes.io/zone"] ?? "",
      pool: labels[poolLabel] ?? "",
      capacityType: labels[capacityTypeLabel] ?? "",
      cordoned: node.spec?.unschedulable === true,
      phase: state?.phase,
      pods: count.get(name) ?? 0,
      evicted: state?.evicted,
      remaining: state?.remaining,
      cpuFree: Math.max(0, allocatable - (requested.get(name) ?? 0)),
    });
    if (state && state.phase !== "drained")
      drains.push({
        node: name,
        phase: state.phase,
        kinds: state.kinds,
        evicted: state.evicted,
        remaining: state.remaining,
        deadline: state.deadline,
      });
  }
  nodes.sort((a, b) => a.zone.localeCompare(b.zone) || a.pool.localeCompare(b.pool) || a.name.localeCompare(b.name));
  const names = new Set(nodes.map((n) => n.name));
  const schedulable = nodeList.items.filter((n) => names.has(n.metadata?.name ?? "") && !n.spec?.unschedulable);
  const placeholders = pods.filter(
    (p) => p.metadata?.labels?.["app.kubernetes.io/name"] === "headroom" && names.has(p.spec?.nodeName ?? ""),
  ).length;
  return {
    name: view.name,
    eksCluster: view.eksCluster,
    nodes,
    pods: pods.filter((p) => names.has(p.spec?.nodeName ?? "")).length,
    drains,
    hpas: hpaList.items.map((h) => ({
      name: h.metadata?.name ?? "",
      namespace: h.metadata?.namespace ?? "",
      min: h.spec?.minReplicas ?? 1,
      max: h.spec?.maxReplicas ?? 0,
      current: h.status?.currentReplicas ?? 0,
      desired: h.status?.desiredReplicas ?? 0,
    })),
    headroom: {
      placeholders,
      cpuFree: schedulable.reduce((sum, n) => sum + (nodes.find((v) => v.name === n.metadata?.name)?.cpuFree ?? 0), 0),
      cpuAllocatable: schedulable.reduce((sum, n) => sum + cpu(n.status?.allocatable?.cpu), 0),
    },
  };
}

/** Weighted record sets, grouped by name: what the traffic feature shifts during a rollout. */
async function rolloutWeights(route53: Route53Client): Promise<Snapshot["rollouts"]> {
  const { HostedZones = [] } = await route53.send(new ListHostedZonesCommand({}));
  const groups = new Map<string, { id: string; weight: number }[]>();
  for (const zone of HostedZones) {
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id }),
    );
    for (const set of ResourceRecordSets) {
      if (set.Weight === undefined || !set.Name) continue;
      const list = groups.get(set.Name) ?? [];
      list.push({ id: set.SetIdentifier ?? "", weight: set.Weight });
      groups.set(set.Name, list);
    }
  }
  return [...groups].map(([name, weights]) => ({ name, weights }));
}
