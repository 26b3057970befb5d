import type { PoolFacts } from "./headroom.ts";
import type { Levels } from "./holds.ts";
import type { HeadroomSpec, TargetRef } from "./policy.ts";

export type ScalableKind = "HorizontalPodAutoscaler" | "ScaledObject" | "Deployment";

/** An object whose levels Harbormaster holds: an HPA, a KEDA ScaledObject or a headroom Deployment. */
export interface ObjectRef {
  kind: ScalableKind;
  namespace: string;
  name: string;
}

export interface Scalable {
  ref: ObjectRef;
  /** `min`/`max` of an HPA or ScaledObject; `replicas` of a headroom Deployment. */
  levels: Levels;
  /** Replicas of the workload it scales now. */
  replicas: number;
  annotation?: string;
}

export interface ScalableWrite {
  levels: Levels;
  /** The new state annotation, or null to remove it and the held label. */
  annotation: string | null;
}

export interface PrescalingClusterPort {
  /** The object to patch for a target: an HPA that a ScaledObject owns resolves to the ScaledObject. */
  resolve(target: TargetRef): Promise<ObjectRef | undefined>;
  /**
   * Reads the object, asks `change` what to write (undefined: nothing) and writes it as one patch guarded by
   * the resourceVersion it read; on a conflict it reads again and asks again. undefined when it is gone.
   */
  update(ref: ObjectRef, change: (current: Scalable) => ScalableWrite | undefined): Promise<Scalable | undefined>;
  /** Every object carrying the held label in these namespaces (those the policies name: no one else's). */
  listHeld(namespaces: readonly string[]): Promise<ObjectRef[]>;
  headroomPool(spec: HeadroomSpec): Promise<PoolFacts>;
  /** The placeholder Deployment, created with no replicas when missing. */
  ensureHeadroom(spec: HeadroomSpec): Promise<ObjectRef>;
}
