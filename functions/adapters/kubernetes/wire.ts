// The parts of Node, Pod and PodDisruptionBudget objects the adapters read, as the apiserver sends them
// (timestamps are RFC 3339 strings). client-node's models type them as Date: both are accepted, so the
// Slack and pre-scaling adapters can pass client-node objects to the same mappers.
type Timestamp = string | Date;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: Timestamp;
  ownerReferences?: { kind: string; controller?: boolean }[];
}

export interface List<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

export interface WireTaint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: Timestamp;
}

export interface WireNode {
  metadata?: ObjectMeta;
  spec?: { providerID?: string; unschedulable?: boolean; taints?: WireTaint[] };
  status?: { conditions?: { type: string; status: string }[] };
}

export interface WirePod {
  metadata?: ObjectMeta;
  spec?: { priority?: number; terminationGracePeriodSeconds?: number };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface WireBudget {
  metadata?: ObjectMeta;
  spec?: { selector?: LabelSelector };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    desiredHealthy?: number;
    currentHealthy?: number;
  };
}
