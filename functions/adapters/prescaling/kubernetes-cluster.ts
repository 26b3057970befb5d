import type { PoolFacts } from "../../core/prescaling/headroom.ts";
import type { HeadroomSpec, TargetRef } from "../../core/prescaling/policy.ts";
import type { ObjectRef, PrescalingClusterPort, Scalable, ScalableWrite } from "../../core/prescaling/ports.ts";
import { KubeApi } from "../kubernetes/api.ts";
import type { KubeConnection } from "../kubernetes/connection.ts";
import { KubernetesHeadroom } from "./kubernetes-headroom.ts";
import { KubernetesScalables } from "./kubernetes-scalables.ts";

/** The pre-scaling core's view of a cluster: scalable objects plus the headroom pool. */
export class KubernetesPrescalingCluster implements PrescalingClusterPort {
  private readonly scalables: KubernetesScalables;
  private readonly headroom: KubernetesHeadroom;

  constructor(connection: KubeConnection, options: { requestTimeoutMs?: number } = {}) {
    // One client, so both share its keep-alive connections.
    const api = new KubeApi(connection);
    this.scalables = new KubernetesScalables(api, options);
    this.headroom = new KubernetesHeadroom(api, options);
  }

  resolve(target: TargetRef): Promise<ObjectRef | undefined> {
    return this.scalables.resolve(target);
  }

  update(ref: ObjectRef, change: (current: Scalable) => ScalableWrite | undefined): Promise<Scalable | undefined> {
    return this.scalables.update(ref, change);
  }

  listHeld(namespaces: readonly string[]): Promise<ObjectRef[]> {
    return this.scalables.listHeld(namespaces);
  }

  headroomPool(spec: HeadroomSpec): Promise<PoolFacts> {
    return this.headroom.headroomPool(spec);
  }

  ensureHeadroom(spec: HeadroomSpec): Promise<ObjectRef> {
    return this.headroom.ensureHeadroom(spec);
  }
}
