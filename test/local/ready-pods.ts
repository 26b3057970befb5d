// Ready pods of an HPA's workload, watched on a cluster's real apiserver: the load generator asks it, at
// each request, how many pods the cluster it sends to has Ready at that moment.
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, makeInformer, type V1Pod } from "@kubernetes/client-node";

/** Ready and not terminating: a pod being deleted leaves its Service's endpoints, so it serves nothing new. */
export function isReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export interface ReadyPodsWatch {
  /** The Deployment the HPA scales, and the label selector its pods are watched by. */
  workload: string;
  selector: string;
  ready(): number;
  stop(): Promise<void>;
}

/** Watches the pods of `hpa`'s scale target in `namespace` (informer: list, then watch; relists on error). */
export async function watchReadyPods(kubeconfigPath: string, namespace: string, hpa: string): Promise<ReadyPodsWatch> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const autoscaler = await kc
    .makeApiClient(AutoscalingV2Api)
    .readNamespacedHorizontalPodAutoscaler({ name: hpa, namespace });
  const target = autoscaler.spec?.scaleTargetRef;
  if (target?.kind !== "Deployment")
    throw new Error(`HPA ${namespace}/${hpa} scales a ${target?.kind}, not a Deployment`);
  const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: target.name, namespace });
  const labels = deployment.spec?.selector?.matchLabels ?? {};
  const labelSelector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  if (!labelSelector) throw new Error(`Deployment ${namespace}/${target.name} has no matchLabels`);
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(
    kc,
    `/api/v1/namespaces/${namespace}/pods`,
    () => core.listNamespacedPod({ namespace, labelSelector }),
    labelSelector,
  );
  let count = 0;
  const recount = () => {
    count = informer.list().filter(isReady).length;
  };
  for (const verb of ["add", "update", "delete"] as const) informer.on(verb, recount);
  let running = true;
  informer.on("error", () => {
    // The watch broke (apiserver restart, timeout): list again after a second, as client-go's reflector does.
    if (running) setTimeout(() => running && informer.start().then(recount, () => {}), 1000);
  });
  await informer.start();
  recount();
  return {
    workload: `${namespace}/${target.name}`,
    selector: labelSelector,
    ready: () => count,
    async stop() {
      running = false;
      await informer.stop();
    },
  };
}
