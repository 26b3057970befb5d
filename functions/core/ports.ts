// Interfaces the core needs from the outside world; adapters/ implements them.
import type { LifecycleAction } from "./events/message.ts";
import type { Notification } from "./notifications.ts";

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  /** Kept as read: NoExecute tolerations count from it. */
  timeAdded?: Date;
}

export interface NodeInfo {
  name: string;
  providerId?: string;
  ready: boolean;
  unschedulable: boolean;
  taints: Taint[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What a cordon writes. Applied as one update guarded by resourceVersion. */
export interface NodeChange {
  unschedulable?: boolean;
  taints?: Taint[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  priority: number;
  ownerKind?: string;
  mirror: boolean;
  terminating: boolean;
  /** Running with its Ready condition True: the only pods a budget's healthy count includes. */
  ready: boolean;
  phase: string;
  terminationGracePeriodSeconds: number;
}

export type EvictionResult =
  | { outcome: "evicted" }
  | { outcome: "gone" }
  | { outcome: "blocked"; budgets: string[]; message: string }
  | { outcome: "failed"; status: number; message: string }
  /** Not sent: its turn in this process's queue for the budget came after the caller's `notAfter` or `stop`. */
  | { outcome: "deferred" };

export interface ClusterPort {
  /**
   * The node whose providerID names the instance. The nodes called `likelyNames` (EKS names a node after
   * its instance's private DNS name) are read first: one small read each, where finding it otherwise means
   * listing every node of the cluster.
   */
  findNode(instanceId: string, likelyNames?: readonly string[]): Promise<NodeInfo | undefined>;
  /** A node registered without a providerID (custom AMIs) under one of the instance's DNS names. */
  findNodeByName(instanceId: string, dnsNames: readonly string[]): Promise<NodeInfo | undefined>;
  /** Reads the node, applies `change` (which may return undefined: nothing to write), retries on conflict. */
  updateNode(name: string, change: (node: NodeInfo) => NodeChange | undefined): Promise<NodeInfo>;
  deleteNode(name: string): Promise<void>;
  listPods(nodeName: string): Promise<PodInfo[]>;
  /** Evicts the pod, unless its turn comes after `notAfter` (epoch ms) or `stop` aborted: then it is not sent. */
  evict(pod: PodInfo, notAfter?: number, stop?: AbortSignal): Promise<EvictionResult>;
  deletePod(pod: PodInfo, gracePeriodSeconds: number): Promise<void>;
}

export interface InstanceDirectory {
  /** EC2 private DNS name and hostname-style names of the instance; empty when EC2 does not know it. */
  dnsNames(instanceId: string): Promise<string[]>;
  /** The same names when this environment has described the instance already (a batch is described at once), else none. */
  knownDnsNames(instanceId: string): readonly string[];
}

export type LifecycleResult = "CONTINUE" | "ABANDON";

export interface LifecyclePort {
  heartbeat(action: LifecycleAction, instanceId: string): Promise<void>;
  complete(action: LifecycleAction, instanceId: string, result: LifecycleResult): Promise<void>;
}

export interface NotifierPort {
  publish(notification: Notification): Promise<void>;
}

export interface MetricsPort {
  count(name: string, dimensions?: Record<string, string>, value?: number): void;
  latency(name: string, ms: number, dimensions?: Record<string, string>): void;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
