import type { PoolFacts, PoolNode, Resources } from "../../core/prescaling/headroom.ts";
import type { HeadroomSpec } from "../../core/prescaling/policy.ts";
import type { ObjectRef } from "../../core/prescaling/ports.ts";
import { bytes, millicores } from "../../core/prescaling/quantity.ts";
import { ignoreStatus, isStatus, type KubeApi, type Query } from "../kubernetes/api.ts";
import { resourcePath, resources } from "../kubernetes/paths.ts";
import type { List, WireContainer, WireNode, WirePod } from "../kubernetes/wire.ts";
import type { WireDeployment } from "./wire.ts";

/** Every placeholder pod carries it, whichever policy made it: their room counts as free everywhere. */
export const headroomLabel = "harbormaster.io/headroom";
const pauseImage = "registry.k8s.io/pause:3.10";
const pageSize = 500;

/** The placeholder Deployment and the facts headroom is sized and reported from. */
export class KubernetesHeadroom {
  private readonly api: KubeApi;
  private readonly timeoutMs: number;

  constructor(api: KubeApi, options: { requestTimeoutMs?: number } = {}) {
    this.api = api;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async ensureHeadroom(spec: HeadroomSpec): Promise<ObjectRef> {
    const { namespace, name } = spec;
    const ref: ObjectRef = { kind: "Deployment", namespace, name };
    try {
      await this.api.send("GET", resourcePath(resources.deployments, { namespace, name }), this.options());
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      await this.api
        .send("POST", resourcePath(resources.deployments, { namespace }), {
          ...this.options(),
          body: placeholderDeployment(spec),
        })
        // Another invocation created it first.
        .catch(ignoreStatus(409));
    }
    return ref;
  }

  async headroomPool(spec: HeadroomSpec): Promise<PoolFacts> {
    const labelSelector = Object.entries(spec.nodeSelector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const nodes = (
      await this.api.send<List<WireNode>>(
        "GET",
        resourcePath(resources.nodes),
        this.options({ labelSelector: labelSelector || undefined }),
      )
    ).items.filter(schedulable);
    const pool = new Map<string, PoolNode>(
      nodes.map((n) => {
        const name = n.metadata?.name ?? "";
        const allocatable = n.status?.allocatable ?? {};
        const node: PoolNode = {
          name,
          allocatable: { cpuMillis: safe(millicores(allocatable.cpu)), memoryBytes: safe(bytes(allocatable.memory)) },
          requested: { cpuMillis: 0, memoryBytes: 0 },
        };
        return [name, node];
      }),
    );
    const placeholders = { running: 0, pending: 0 };
    for await (const pod of this.activePods()) {
      const mine = pod.metadata?.namespace === spec.namespace && pod.metadata?.labels?.[headroomLabel] === spec.name;
      if (mine && !pod.metadata?.deletionTimestamp) {
        if (pod.spec?.nodeName && pod.status?.phase === "Running") placeholders.running++;
        else if (!pod.spec?.nodeName) placeholders.pending++;
      }
      const node = pod.spec?.nodeName ? pool.get(pod.spec.nodeName) : undefined;
      if (!node || pod.metadata?.labels?.[headroomLabel] !== undefined) continue;
      const requests = podRequests(pod);
      node.requested.cpuMillis += requests.cpuMillis;
      node.requested.memoryBytes += requests.memoryBytes;
    }
    return { nodes: [...pool.values()], placeholders };
  }

  private async *activePods(): AsyncGenerator<WirePod> {
    let next: string | undefined;
    do {
      const page = await this.api.send<List<WirePod>>(
        "GET",
        resourcePath(resources.pods),
        this.options({
          fieldSelector: "status.phase!=Succeeded,status.phase!=Failed",
          limit: pageSize,
          continue: next,
        }),
      );
      yield* page.items;
      next = page.metadata?.continue || undefined;
    } while (next);
  }

  private options(query?: Query) {
    return { query, timeoutMs: this.timeoutMs };
  }
}

function schedulable(node: WireNode): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const blocked = node.spec?.taints?.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute") ?? false;
  return ready && !node.spec?.unschedulable && !blocked;
}

/** What the scheduler charges a pod: its containers' requests, or its largest init container's if more. */
function podRequests(pod: WirePod): Resources {
  const sum = (containers: WireContainer[] | undefined) => {
    const total = { cpuMillis: 0, memoryBytes: 0 };
    for (const c of containers ?? []) {
      total.cpuMillis += safe(millicores(c.resources?.requests?.cpu));
      total.memoryBytes += safe(bytes(c.resources?.requests?.memory));
    }
    return total;
  };
  const main = sum(pod.spec?.containers);
  const init = (pod.spec?.initContainers ?? []).map((c) => sum([c]));
  const overhead = pod.spec?.overhead ?? {};
  return {
    cpuMillis: Math.max(main.cpuMillis, ...init.map((i) => i.cpuMillis)) + safe(millicores(overhead.cpu)),
    memoryBytes: Math.max(main.memoryBytes, ...init.map((i) => i.memoryBytes)) + safe(bytes(overhead.memory)),
  };
}

function safe(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

export function placeholderDeployment(spec: HeadroomSpec) {
  const labels = { [headroomLabel]: spec.name, "app.kubernetes.io/managed-by": "harbormaster" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: spec.name, namespace: spec.namespace, labels },
    spec: {
      // Held at zero until a policy raises it; the raise records zero as the value to restore.
      replicas: 0,
      selector: { matchLabels: { [headroomLabel]: spec.name } },
      template: {
        metadata: { labels },
        spec: {
          // Negative priority: any real pod preempts a placeholder, which then waits Pending for a new node.
          priorityClassName: spec.priorityClassName,
          nodeSelector: Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined,
          terminationGracePeriodSeconds: 0,
          automountServiceAccountToken: false,
          containers: [
            {
              name: "pause",
              image: pauseImage,
              resources: {
                requests: { cpu: spec.unit.cpu, memory: spec.unit.memory },
                limits: { cpu: spec.unit.cpu, memory: spec.unit.memory },
              },
            },
          ],
        },
      },
    },
  } satisfies WireDeployment;
}
