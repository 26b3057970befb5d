import { AutoscalingV2Api, type V1Pod } from "@kubernetes/client-node";
import { heldLabel, stateAnnotation } from "../../../functions/core/prescaling/holds.ts";
import { appDeployment, hpa } from "../../fixtures/prescaling-workloads.ts";
import { createNamespace, createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

/**
 * A namespace, a simulated node pool of its own, a placeholder priority class, and an app with its HPA:
 * what each pre-scaling test file starts from. Everything is uniquely named; `cleanup` removes it.
 */
export async function prescalingWorld(prefix: string, options: { nodeCpu?: string; nodes?: number } = {}) {
  const k = kube();
  const autoscaling = k.kc.makeApiClient(AutoscalingV2Api);
  const namespace = await createNamespace(k.core, prefix);
  const pool = { "harbormaster.test/pool": uniqueName(prefix) };
  const priorityClass = uniqueName("headroom");
  await k.scheduling.createPriorityClass({
    body: { metadata: { name: priorityClass }, value: -10, description: "headroom placeholders" },
  });
  const nodeNames: string[] = [];
  for (let i = 0; i < (options.nodes ?? 1); i++) {
    const node = await createNode(k.core, {
      instanceId: randomInstanceId(),
      labels: pool,
      capacity: { cpu: options.nodeCpu ?? "2", memory: "16Gi" },
    });
    nodeNames.push(node.metadata?.name ?? "");
  }

  return {
    ...k,
    autoscaling,
    namespace,
    pool,
    priorityClass,
    nodeNames,
    async app(name: string, replicas: number, cpu: string, min: number, max: number) {
      await k.apps.createNamespacedDeployment({ namespace, body: appDeployment(name, replicas, cpu, pool) });
      await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: hpa(name, min, max) });
      await running(name, replicas);
    },
    readHpa(name: string) {
      return autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name });
    },
    async isHeld(metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } | undefined) {
      return metadata?.annotations?.[stateAnnotation] !== undefined && metadata?.labels?.[heldLabel] === "true";
    },
    /** Pods of an app (by its `app` label) or of a headroom Deployment, split by where they are. */
    async pods(selector: string) {
      const list = await k.core.listNamespacedPod({ namespace, labelSelector: selector });
      const live = list.items.filter((p) => !p.metadata?.deletionTimestamp);
      return {
        running: live.filter((p) => p.status?.phase === "Running"),
        pending: live.filter((p) => !p.spec?.nodeName),
      };
    },
    running,
    async cleanup() {
      await k.core.deleteNamespace({ name: namespace }).catch(() => undefined);
      for (const name of nodeNames) await k.core.deleteNode({ name }).catch(() => undefined);
      await k.scheduling.deletePriorityClass({ name: priorityClass }).catch(() => undefined);
    },
  };

  async function running(app: string, count: number, timeoutMs = 60_000): Promise<V1Pod[]> {
    return eventually(
      async () => {
        const list = await k.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
        const pods = list.items.filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp);
        if (pods.length !== count) throw new Error(`${pods.length}/${count} pods of ${app} running`);
        return pods;
      },
      timeoutMs,
      200,
    );
  }
}

export type PrescalingWorld = Awaited<ReturnType<typeof prescalingWorld>>;

/** A window that is open now, in UTC, from an hour ago to an hour from now. */
export function openWindow(name: string) {
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return { name, timezone: "UTC", start: hhmm(Date.now() - 3_600_000), end: hhmm(Date.now() + 3_600_000) };
}
