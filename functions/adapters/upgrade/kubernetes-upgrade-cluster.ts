// What the upgrade engine reads from one cluster: nodes, Deployments, HPAs with their targets' Ready pods.
// Over the same KubeApi (node:https) as pre-scaling: one client per cluster, with its keep-alive pool, and
// no @kubernetes/client-node in the traffic function's bundle.
import { parseState, stateAnnotation } from "../../core/prescaling/holds.ts";
import type { DeploymentFacts, HpaFacts, NodeFacts, UpgradeClusterPort } from "../../core/upgrade/ports.ts";
import { ignoreStatus, type KubeApi, mergePatchType } from "../kubernetes/api.ts";
import { type Resource, resourcePath, resources } from "../kubernetes/paths.ts";
import type { List, ObjectMeta, WireNode } from "../kubernetes/wire.ts";
import type { WireHpa } from "../prescaling/wire.ts";

interface WireWorkload {
  metadata?: ObjectMeta;
  spec?: { replicas?: number };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
}

const pageSize = 500;

export class KubernetesUpgradeCluster implements UpgradeClusterPort {
  private readonly api: KubeApi;
  private readonly timeoutMs: number;

  constructor(api: KubeApi, options: { requestTimeoutMs?: number } = {}) {
    this.api = api;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async nodes(): Promise<NodeFacts[]> {
    const nodes = await this.list<WireNode>(resources.nodes);
    return nodes.map((n) => ({
      name: n.metadata?.name ?? "",
      ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    }));
  }

  async deployments(namespaces: readonly string[]): Promise<DeploymentFacts[]> {
    const lists = await Promise.all(namespaces.map((ns) => this.list<WireWorkload>(resources.deployments, ns)));
    return lists.flat().map((d) => ({
      namespace: d.metadata?.namespace ?? "",
      name: d.metadata?.name ?? "",
      available: d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True") ?? false,
      desired: d.spec?.replicas ?? 1,
      ready: d.status?.readyReplicas ?? 0,
    }));
  }

  async hpas(namespaces: readonly string[]): Promise<HpaFacts[]> {
    const perNamespace = await Promise.all(
      namespaces.map(async (namespace) => {
        const [hpas, deployments, statefulSets] = await Promise.all([
          this.list<WireHpa>(resources.hpas, namespace),
          this.list<WireWorkload>(resources.deployments, namespace),
          this.list<WireWorkload>(resources.statefulSets, namespace),
        ]);
        const workloads = new Map([
          ...deployments.map((d) => [`Deployment/${d.metadata?.name}`, d] as const),
          ...statefulSets.map((s) => [`StatefulSet/${s.metadata?.name}`, s] as const),
        ]);
        return hpas.map((h) => toFacts(namespace, h, workloads));
      }),
    );
    return perNamespace.flat().sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }

  async scaleTargetToMinimum(hpa: HpaFacts): Promise<boolean> {
    const [kind, name] = hpa.target.split("/");
    const resource =
      kind === "Deployment" ? resources.deployments : kind === "StatefulSet" ? resources.statefulSets : undefined;
    if (!resource || !name) return false;
    const path = resourcePath(resource, { namespace: hpa.namespace, name, subresource: "scale" });
    const scaled = await this.api
      .send("PATCH", path, {
        body: { spec: { replicas: hpa.min } },
        contentType: mergePatchType,
        timeoutMs: this.timeoutMs,
      })
      .catch(ignoreStatus(404));
    return scaled !== undefined;
  }

  private async list<T>(resource: Resource, namespace?: string): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.api.send<List<T>>("GET", resourcePath(resource, namespace ? { namespace } : {}), {
        query: { limit: pageSize, continue: token },
        timeoutMs: this.timeoutMs,
      });
      items.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }
}

function toFacts(namespace: string, h: WireHpa, workloads: Map<string, WireWorkload>): HpaFacts {
  const target = `${h.spec?.scaleTargetRef?.kind ?? "Deployment"}/${h.spec?.scaleTargetRef?.name ?? ""}`;
  const workload = workloads.get(target);
  const min = h.spec?.minReplicas ?? 1;
  const held = parseState(h.metadata?.annotations?.[stateAnnotation]);
  return {
    namespace,
    name: h.metadata?.name ?? "",
    min,
    max: h.spec?.maxReplicas ?? min,
    originalMin: held?.original.min ?? min,
    currentReplicas: h.status?.currentReplicas ?? workload?.status?.replicas ?? workload?.spec?.replicas ?? min,
    target,
    readyPods: workload?.status?.readyReplicas ?? 0,
  };
}
