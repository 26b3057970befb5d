// What the cluster-upgrade scenario does to the world around the upgrade, as production would have it: blue
// carrying load-driven replicas, green fresh at its floors, the weights on blue; and between two arms, the
// same starting point again. Everything goes through the real apiserver and the emulator's Route53.
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, type V1Node } from "@kubernetes/client-node";
import { PatchStrategy, requestOptions } from "../../../functions/adapters/kubernetes/request-options.ts";
import { runKey } from "../../helpers/k8s-manifests.ts";
import { type LocalNode, poolLabel } from "../cluster.ts";
import type { LocalClusterInfo } from "../clusters.ts";
import { phaseOf, sleep } from "./context.ts";

export interface HpaRange {
  min: number;
  max: number;
}

/** One cluster's HPA and the Deployment it scales, as the scenario drives them. */
export function workloadControl(cluster: LocalClusterInfo, namespace: string, hpa: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    core,
    async range(): Promise<HpaRange> {
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa, namespace });
      return { min: h.spec?.minReplicas ?? 1, max: h.spec?.maxReplicas ?? 1 };
    },
    /** A merge patch of the range only: annotations (an upgrade's holds) are left as they are. */
    async setRange(range: HpaRange): Promise<void> {
      await autoscaling.patchNamespacedHorizontalPodAutoscaler(
        { name: hpa, namespace, body: { spec: { minReplicas: range.min, maxReplicas: range.max } } },
        requestOptions(10_000, PatchStrategy.MergePatch),
      );
    },
    /**
     * Waits until the HPA's Deployment is Available with `replicas` available (its pods Ready for
     * minReadySeconds): what Argo CD shows as healthy, and what the upgrade's ready gate asks of green.
     */
    async untilAvailable(replicas: number, timeoutMs = 120_000): Promise<void> {
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa, namespace });
      const name = h.spec?.scaleTargetRef.name ?? hpa;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const d = await apps.readNamespacedDeployment({ name, namespace });
        const available = d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True");
        if (available && (d.status?.availableReplicas ?? 0) >= replicas) return;
        if (Date.now() > deadline)
          throw new Error(`${namespace}/${name}: not Available with ${replicas} replicas in ${timeoutMs / 1000} s`);
        await sleep(500);
      }
    },
    /**
     * Replicas back to the floor, as the HPA would scale a cluster down once its load left. Locally no
     * metrics reach the HPA, so it only ever raises a Deployment to its floor; lowering is the scenario's.
     */
    async scaleTo(replicas: number): Promise<void> {
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa, namespace });
      const name = h.spec?.scaleTargetRef.name ?? hpa;
      await apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas } } },
        requestOptions(10_000, PatchStrategy.MergePatch),
      );
    },
  };
}

export type WorkloadControl = ReturnType<typeof workloadControl>;

/** Waits until `ready()` reads `wanted`; throws with what it saw if it does not within the timeout. */
export async function untilReady(what: string, ready: () => number, wanted: number, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (ready() !== wanted) {
    if (Date.now() > deadline)
      throw new Error(`${what}: ${ready()} Ready pods, not ${wanted}, in ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** Puts the weighted records at `weights` (the records' other fields as they are), as an operator's reset. */
export async function setWeights(hostedZoneId: string, recordName: string, weights: Record<string, number>) {
  const route53 = new Route53Client({});
  const { ResourceRecordSets = [] } = await route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      StartRecordName: recordName,
      StartRecordType: "A",
    }),
  );
  const sets = ResourceRecordSets.filter(
    (s) => s.Name === recordName && s.Type === "A" && s.SetIdentifier && weights[s.SetIdentifier] !== undefined,
  );
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: {
        Changes: sets.map((s) => ({
          Action: "UPSERT" as const,
          ResourceRecordSet: { ...s, Weight: weights[s.SetIdentifier ?? ""] },
        })),
      },
    }),
  );
}

/**
 * The general-pool node of this stack holding the most pods of the workload (`selector`), not cordoned or
 * interrupted yet: the spot warning that hurts most.
 */
export async function busiestNode(
  core: CoreV1Api,
  namespace: string,
  selector: string,
  runId?: string,
): Promise<LocalNode | undefined> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
  const perNode = new Map<string, number>();
  for (const pod of pods)
    if (pod.spec?.nodeName && !pod.metadata?.deletionTimestamp)
      perNode.set(pod.spec.nodeName, (perNode.get(pod.spec.nodeName) ?? 0) + 1);
  const candidates = (await core.listNode()).items.filter((node: V1Node) => {
    const labels = node.metadata?.labels ?? {};
    if (labels[poolLabel] !== "general" || node.spec?.unschedulable || phaseOf(node)) return false;
    return !runId || labels[runKey] === runId;
  });
  const busiest = candidates.sort(
    (a, b) => (perNode.get(b.metadata?.name ?? "") ?? 0) - (perNode.get(a.metadata?.name ?? "") ?? 0),
  )[0];
  if (!busiest) return undefined;
  return {
    name: busiest.metadata?.name ?? "",
    instanceId: busiest.spec?.providerID?.split("/").at(-1) ?? "",
    zone: busiest.metadata?.labels?.["topology.kubernetes.io/zone"] ?? "",
    pool: "general",
  };
}
