// The parts of Node, Pod and PodDisruptionBudget objects the adapters read, as the apiserver sends them
// (timestamps are RFC 3339 strings; client-node's models, which tests use, type them as Date: both are
// accepted).
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
  ownerReferences?: { kind: string; controller?: boolean; apiVersion?: string; name?: string }[];
}

export interface List<T> {
  /** `continue`: the token for the next page of a list sent with `limit`. */
  metadata?: { resourceVersion?: string; continue?: string };
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
  status?: { conditions?: { type: string; status: string }[]; allocatable?: Quantities };
}

/** Resource quantities as the apiserver writes them ("250m", "1Gi"). */
export type Quantities = Record<string, string>;

export interface WireContainer {
  name: string;
  image?: string;
  resources?: { requests?: Quantities; limits?: Quantities };
}

export interface WirePod {
  metadata?: ObjectMeta;
  spec?: {
    priority?: number;
    terminationGracePeriodSeconds?: number;
    nodeName?: string;
    containers?: WireContainer[];
    initContainers?: WireContainer[];
    overhead?: Quantities;
  };
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
