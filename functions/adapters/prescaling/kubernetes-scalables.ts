import { heldLabel, stateAnnotation } from "../../core/prescaling/holds.ts";
import type { TargetRef } from "../../core/prescaling/policy.ts";
import type { ObjectRef, Scalable, ScalableWrite } from "../../core/prescaling/ports.ts";
import { ignoreStatus, isStatus, type KubeApi, mergePatchType, type Query } from "../kubernetes/api.ts";
import { type Resource, resourcePath, resources } from "../kubernetes/paths.ts";
import type { List } from "../kubernetes/wire.ts";
import type { ScaleTargetRef, WireDeployment, WireHpa, WireScale, WireScaledObject } from "./wire.ts";

const maxConflictRetries = 8;

type Named = { metadata?: { name?: string } };

type Live =
  | { kind: "HorizontalPodAutoscaler"; object: WireHpa }
  | { kind: "ScaledObject"; object: WireScaledObject }
  | { kind: "Deployment"; object: WireDeployment };

const resourceOf: Record<ObjectRef["kind"], Resource> = {
  HorizontalPodAutoscaler: resources.hpas,
  ScaledObject: resources.scaledObjects,
  Deployment: resources.deployments,
};

/** HPAs, KEDA ScaledObjects and headroom Deployments: read, and patched only under a resourceVersion. */
export class KubernetesScalables {
  private readonly api: KubeApi;
  private readonly timeoutMs: number;

  constructor(api: KubeApi, options: { requestTimeoutMs?: number } = {}) {
    this.api = api;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async resolve(target: TargetRef): Promise<ObjectRef | undefined> {
    const { namespace, name } = target;
    if (target.kind === "ScaledObject") {
      const so = await this.get<WireScaledObject>(resources.scaledObjects, namespace, name);
      return so ? { kind: "ScaledObject", namespace, name } : undefined;
    }
    const hpa = await this.get<WireHpa>(resources.hpas, namespace, name);
    if (!hpa) return undefined;
    // KEDA owns the HPAs it creates and rewrites them from the ScaledObject: patch the ScaledObject instead.
    const owner = hpa.metadata?.ownerReferences?.find(
      (o) => o.kind === "ScaledObject" && o.apiVersion?.startsWith(`${resources.scaledObjects.group}/`),
    );
    if (owner?.name) return { kind: "ScaledObject", namespace, name: owner.name };
    return { kind: "HorizontalPodAutoscaler", namespace, name };
  }

  async update(
    ref: ObjectRef,
    change: (current: Scalable) => ScalableWrite | undefined,
  ): Promise<Scalable | undefined> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.read(ref);
      if (!live) return undefined;
      const current = await this.toScalable(ref, live);
      const write = change(current);
      if (!write) return current;
      try {
        return await this.patch(ref, live, write);
      } catch (error) {
        // Someone wrote in between: read again, so a value a person just set is seen and kept.
        if (!(isStatus(error, 409) && attempt < maxConflictRetries)) throw error;
      }
    }
  }

  async listHeld(namespaces: readonly string[]): Promise<ObjectRef[]> {
    const lists = await Promise.all([...new Set(namespaces)].map((namespace) => this.listHeldIn(namespace)));
    return lists.flat();
  }

  private async listHeldIn(namespace: string): Promise<ObjectRef[]> {
    const list = (resource: Resource) =>
      this.api
        .send<List<Named>>(
          "GET",
          resourcePath(resource, { namespace }),
          this.options({ labelSelector: `${heldLabel}=true` }),
        )
        // Without KEDA's CRD there are no ScaledObjects to hold.
        .catch(resource === resources.scaledObjects ? ignoreStatus(404) : rethrow);
    const [hpas, scaledObjects, deployments] = await Promise.all([
      list(resources.hpas),
      list(resources.scaledObjects),
      list(resources.deployments),
    ]);
    const refs = (kind: ObjectRef["kind"], items: Named[] = []) =>
      items.map((i) => ({ kind, namespace, name: i.metadata?.name ?? "" }));
    return [
      ...refs("HorizontalPodAutoscaler", hpas?.items),
      ...refs("ScaledObject", scaledObjects?.items),
      ...refs("Deployment", deployments?.items),
    ];
  }

  private async read(ref: ObjectRef): Promise<Live | undefined> {
    const object = await this.get<Live["object"]>(resourceOf[ref.kind], ref.namespace, ref.name);
    return object && ({ kind: ref.kind, object } as Live);
  }

  private get<T>(resource: Resource, namespace: string, name: string): Promise<T | undefined> {
    return this.api
      .send<T>("GET", resourcePath(resource, { namespace, name }), this.options())
      .catch(ignoreStatus(404));
  }

  private async toScalable(ref: ObjectRef, live: Live): Promise<Scalable> {
    const annotation = live.object.metadata?.annotations?.[stateAnnotation];
    switch (live.kind) {
      case "HorizontalPodAutoscaler": {
        const { spec, status } = live.object;
        const levels = { min: spec?.minReplicas ?? 1, max: spec?.maxReplicas ?? 1 };
        const replicas = status?.currentReplicas ?? (await this.workloadReplicas(ref.namespace, spec?.scaleTargetRef));
        return { ref, levels, replicas: replicas ?? levels.min, annotation };
      }
      case "ScaledObject": {
        const spec = live.object.spec;
        // KEDA's defaults when the fields are unset.
        const levels = { min: spec?.minReplicaCount ?? 0, max: spec?.maxReplicaCount ?? 100 };
        const replicas = await this.workloadReplicas(ref.namespace, spec?.scaleTargetRef);
        return { ref, levels, replicas: replicas ?? levels.min, annotation };
      }
      case "Deployment": {
        const replicas = live.object.spec?.replicas ?? 1;
        return { ref, levels: { replicas }, replicas, annotation };
      }
    }
  }

  private async workloadReplicas(namespace: string, target: ScaleTargetRef | undefined): Promise<number | undefined> {
    if (!target?.name) return undefined;
    const kind = target.kind ?? "Deployment";
    const resource =
      kind === "Deployment" ? resources.deployments : kind === "StatefulSet" ? resources.statefulSets : undefined;
    if (!resource) return undefined;
    const scale = await this.api
      .send<WireScale>(
        "GET",
        resourcePath(resource, { namespace, name: target.name, subresource: "scale" }),
        this.options(),
      )
      .catch(ignoreStatus(404));
    return scale?.status?.replicas ?? scale?.spec?.replicas;
  }

  private async patch(ref: ObjectRef, live: Live, write: ScalableWrite): Promise<Scalable> {
    const { namespace, name } = ref;
    const metadata = {
      // The precondition: the write applies only to the version the decision was made on.
      resourceVersion: live.object.metadata?.resourceVersion,
      annotations: { [stateAnnotation]: write.annotation },
      labels: { [heldLabel]: write.annotation === null ? null : "true" },
    };
    const spec =
      live.kind === "HorizontalPodAutoscaler"
        ? { minReplicas: write.levels.min, maxReplicas: write.levels.max }
        : live.kind === "ScaledObject"
          ? { minReplicaCount: write.levels.min, maxReplicaCount: write.levels.max }
          : { replicas: write.levels.replicas };
    const object = await this.api.send<Live["object"]>(
      "PATCH",
      resourcePath(resourceOf[ref.kind], { namespace, name }),
      {
        ...this.options(),
        body: { metadata, spec },
        contentType: mergePatchType,
      },
    );
    return this.toScalable(ref, { kind: live.kind, object } as Live);
  }

  private options(query?: Query) {
    return { query, timeoutMs: this.timeoutMs };
  }
}

function rethrow(error: unknown): never {
  throw error;
}
