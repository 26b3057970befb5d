import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Deployment,
  type V1Node,
  type V1Pod,
} from "@kubernetes/client-node";
import type { PoolFacts, PoolNode, Resources } from "../../core/prescaling/headroom.ts";
import type { HeadroomSpec } from "../../core/prescaling/policy.ts";
import type { ObjectRef } from "../../core/prescaling/ports.ts";
import { bytes, millicores } from "../../core/prescaling/quantity.ts";
import { requestOptions } from "../kubernetes/request-options.ts";

/** Every placeholder pod carries it, whichever policy made it: their room counts as free everywhere. */
export const headroomLabel = "harbormaster.io/headroom";
const pauseImage = "registry.k8s.io/pause:3.10";
const pageSize = 500;

/** The placeholder Deployment and the facts headroom is sized and reported from. */
export class KubernetesHeadroom {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly timeoutMs: number;

  constructor(kubeConfig: KubeConfig, options: { requestTimeoutMs?: number } = {}) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async ensureHeadroom(spec: HeadroomSpec): Promise<ObjectRef> {
    const ref: ObjectRef = { kind: "Deployment", namespace: spec.namespace, name: spec.name };
    try {
      await this.apps.readNamespacedDeployment({ namespace: spec.namespace, name: spec.name }, this.options());
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      await this.apps
        .createNamespacedDeployment({ namespace: spec.namespace, body: placeholderDeployment(spec) }, this.options())
        // Another invocation created it first.
        .catch((e: unknown) => {
          if (!(e instanceof ApiException && e.code === 409)) throw e;
        });
    }
    return ref;
  }

  async headroomPool(spec: HeadroomSpec): Promise<PoolFacts> {
    const labelSelector = Object.entries(spec.nodeSelector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const nodes = (
      await this.core.listNode({ labelSelector: labelSelector || undefined }, this.options())
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

  private async *activePods(): AsyncGenerator<V1Pod> {
    let _continue: string | undefined;
    do {
      const page = await this.core.listPodForAllNamespaces(
        { fieldSelector: "status.phase!=Succeeded,status.phase!=Failed", limit: pageSize, _continue },
        this.options(),
      );
      yield* page.items;
      _continue = page.metadata?._continue || undefined;
    } while (_continue);
  }

  private options() {
    return requestOptions(this.timeoutMs);
  }
}

function schedulable(node: V1Node): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const blocked = node.spec?.taints?.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute") ?? false;
  return ready && !node.spec?.unschedulable && !blocked;
}

/** What the scheduler charges a pod: its containers' requests, or its largest init container's if more. */
function podRequests(pod: V1Pod): Resources {
  const sum = (containers: { resources?: { requests?: Record<string, string> } }[] | undefined) => {
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

export function placeholderDeployment(spec: HeadroomSpec): V1Deployment {
  const labels = { [headroomLabel]: spec.name, "app.kubernetes.io/managed-by": "harbormaster" };
  return {
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
  };
}
