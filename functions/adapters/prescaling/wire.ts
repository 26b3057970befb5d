// The parts of the objects pre-scaling reads and writes, as the apiserver sends them.
import type { ObjectMeta, WireContainer } from "../kubernetes/wire.ts";

export interface ScaleTargetRef {
  kind?: string;
  name?: string;
  apiVersion?: string;
}

export interface WireHpa {
  metadata?: ObjectMeta;
  spec?: { minReplicas?: number; maxReplicas?: number; scaleTargetRef?: ScaleTargetRef };
  status?: { currentReplicas?: number };
}

/** KEDA's ScaledObject (keda.sh/v1alpha1): it owns the HPA it creates and rewrites it from these fields. */
export interface WireScaledObject {
  metadata?: ObjectMeta;
  spec?: { minReplicaCount?: number; maxReplicaCount?: number; scaleTargetRef?: ScaleTargetRef };
  status?: { hpaName?: string };
}

/** The scale subresource of a Deployment or StatefulSet. */
export interface WireScale {
  spec?: { replicas?: number };
  status?: { replicas?: number };
}

export interface WireDeployment {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: {
      metadata?: { labels?: Record<string, string> };
      spec?: {
        priorityClassName?: string;
        nodeSelector?: Record<string, string>;
        terminationGracePeriodSeconds?: number;
        automountServiceAccountToken?: boolean;
        containers: WireContainer[];
      };
    };
  };
}
