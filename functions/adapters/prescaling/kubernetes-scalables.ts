import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Deployment,
  type V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";
import { heldLabel, stateAnnotation } from "../../core/prescaling/holds.ts";
import type { TargetRef } from "../../core/prescaling/policy.ts";
import type { ObjectRef, Scalable, ScalableWrite } from "../../core/prescaling/ports.ts";
import { PatchStrategy, requestOptions } from "../kubernetes/request-options.ts";

const keda = { group: "keda.sh", version: "v1alpha1", plural: "scaledobjects" } as const;
const maxConflictRetries = 8;

interface ScaledObject {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: {
    minReplicaCount?: number;
    maxReplicaCount?: number;
    scaleTargetRef?: { kind?: string; name?: string; apiVersion?: string };
  };
  status?: { hpaName?: string };
}

type Named = { metadata?: { name?: string } };

type Live =
  | { kind: "HorizontalPodAutoscaler"; object: V2HorizontalPodAutoscaler }
  | { kind: "ScaledObject"; object: ScaledObject }
  | { kind: "Deployment"; object: V1Deployment };

/** HPAs, KEDA ScaledObjects and headroom Deployments: read, and patched only under a resourceVersion. */
export class KubernetesScalables {
  private readonly autoscaling: AutoscalingV2Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly timeoutMs: number;

  constructor(kubeConfig: KubeConfig, options: { requestTimeoutMs?: number } = {}) {
    this.autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async resolve(target: TargetRef): Promise<ObjectRef | undefined> {
    const { namespace, name } = target;
    if (target.kind === "ScaledObject") {
      const so = await this.readScaledObject(namespace, name);
      return so ? { kind: "ScaledObject", namespace, name } : undefined;
    }
    const hpa = await this.autoscaling
      .readNamespacedHorizontalPodAutoscaler({ namespace, name }, this.options())
      .catch(ignore404);
    if (!hpa) return undefined;
    // KEDA owns the HPAs it creates and rewrites them from the ScaledObject: patch the ScaledObject instead.
    const owner = hpa.metadata?.ownerReferences?.find(
      (o) => o.kind === "ScaledObject" && o.apiVersion.startsWith(`${keda.group}/`),
    );
    if (owner) return { kind: "ScaledObject", namespace, name: owner.name };
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
        if (!(error instanceof ApiException && error.code === 409 && attempt < maxConflictRetries)) throw error;
      }
    }
  }

  async listHeld(namespaces: readonly string[]): Promise<ObjectRef[]> {
    const lists = await Promise.all([...new Set(namespaces)].map((namespace) => this.listHeldIn(namespace)));
    return lists.flat();
  }

  private async listHeldIn(namespace: string): Promise<ObjectRef[]> {
    const labelSelector = `${heldLabel}=true`;
    const [hpas, deployments, scaledObjects] = await Promise.all([
      this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, labelSelector }, this.options()),
      this.apps.listNamespacedDeployment({ namespace, labelSelector }, this.options()),
      // Without KEDA's CRD there are no ScaledObjects to hold.
      this.custom
        .listNamespacedCustomObject({ ...keda, namespace, labelSelector }, this.options())
        .catch(ignore404) as Promise<{ items?: Named[] } | undefined>,
    ]);
    const refs = (kind: ObjectRef["kind"], items: Named[]) =>
      items.map((i) => ({ kind, namespace, name: i.metadata?.name ?? "" }));
    return [
      ...refs("HorizontalPodAutoscaler", hpas.items),
      ...refs("ScaledObject", scaledObjects?.items ?? []),
      ...refs("Deployment", deployments.items),
    ];
  }

  private async read(ref: ObjectRef): Promise<Live | undefined> {
    const { namespace, name } = ref;
    switch (ref.kind) {
      case "HorizontalPodAutoscaler": {
        const object = await this.autoscaling
          .readNamespacedHorizontalPodAutoscaler({ namespace, name }, this.options())
          .catch(ignore404);
        return object && { kind: ref.kind, object };
      }
      case "ScaledObject": {
        const object = await this.readScaledObject(namespace, name);
        return object && { kind: ref.kind, object };
      }
      case "Deployment": {
        const object = await this.apps.readNamespacedDeployment({ namespace, name }, this.options()).catch(ignore404);
        return object && { kind: ref.kind, object };
      }
    }
  }

  private readScaledObject(namespace: string, name: string): Promise<ScaledObject | undefined> {
    return this.custom
      .getNamespacedCustomObject({ ...keda, namespace, name }, this.options())
      .catch(ignore404) as Promise<ScaledObject | undefined>;
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

  private async workloadReplicas(
    namespace: string,
    target: { kind?: string; name?: string } | undefined,
  ): Promise<number | undefined> {
    if (!target?.name) return undefined;
    const kind = target.kind ?? "Deployment";
    const request = { namespace, name: target.name };
    const scale =
      kind === "Deployment"
        ? await this.apps.readNamespacedDeploymentScale(request, this.options()).catch(ignore404)
        : kind === "StatefulSet"
          ? await this.apps.readNamespacedStatefulSetScale(request, this.options()).catch(ignore404)
          : undefined;
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
    const options = this.options(PatchStrategy.MergePatch);
    switch (live.kind) {
      case "HorizontalPodAutoscaler": {
        const spec = { minReplicas: write.levels.min, maxReplicas: write.levels.max };
        const object = await this.autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { namespace, name, body: { metadata, spec } },
          options,
        );
        return this.toScalable(ref, { kind: live.kind, object });
      }
      case "ScaledObject": {
        const spec = { minReplicaCount: write.levels.min, maxReplicaCount: write.levels.max };
        const object = (await this.custom.patchNamespacedCustomObject(
          { ...keda, namespace, name, body: { metadata, spec } },
          options,
        )) as ScaledObject;
        return this.toScalable(ref, { kind: live.kind, object });
      }
      case "Deployment": {
        const spec = { replicas: write.levels.replicas };
        const object = await this.apps.patchNamespacedDeployment(
          { namespace, name, body: { metadata, spec } },
          options,
        );
        return this.toScalable(ref, { kind: live.kind, object });
      }
    }
  }

  private options(contentType?: PatchStrategy) {
    return requestOptions(this.timeoutMs, contentType);
  }
}

function ignore404(error: unknown): undefined {
  if (error instanceof ApiException && error.code === 404) return undefined;
  throw error;
}
