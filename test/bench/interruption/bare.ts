// The "bare" arm: the physical limit of the scenario, measured on the same testbed as the tools. The same
// work with nothing around it: no queue, no routing, no node state, no lease, no pod watches. It knows the
// lost nodes and the Deployments up front, cordons every node, then one writer per budget (BARE_WRITERS
// for more) evicts that budget's pods one after another, retrying a refused pod after 50 ms.
import { KubeApi, KubernetesApiError, mergePatchType } from "../../../functions/adapters/kubernetes/api.ts";
import { connectionFromKubeconfigFile } from "../../../functions/adapters/kubernetes/connection.ts";
import type { List, WirePod } from "../../../functions/adapters/kubernetes/wire.ts";
import { mapLimit } from "../../../functions/core/concurrency.ts";
import { cordonFromQueue } from "./bare-queue.ts";
import type { Scenario } from "./scenario.ts";

const writersPerBudget = Number(process.env.BARE_WRITERS ?? 1);

/** `fromQueue`: the cordons come from the warnings in the queue (bare-queue.ts), not from knowing the nodes. */
export function startBare(kubeconfigPath: string, scenario: Scenario, options: { fromQueue?: boolean } = {}) {
  const api = new KubeApi(connectionFromKubeconfigFile(kubeconfigPath));
  const lost = new Set(scenario.lostNodes.map((n) => n.name));
  let running = true;
  let refused = 0;
  const done = (async () => {
    // Started by the first warning, as a tool would be.
    const listing = api.send<List<WirePod>>("GET", `/api/v1/namespaces/${scenario.namespace}/pods`, {
      timeoutMs: 30_000,
    });
    // Fed by the queue, the list is read while the warnings arrive; knowing the nodes, before the cordons.
    if (!options.fromQueue) await listing;
    if (options.fromQueue) await cordonFromQueue(api, scenario, () => running);
    else
      await mapLimit(scenario.lostNodes, 20, (node) =>
        api.send("PATCH", `/api/v1/nodes/${node.name}`, {
          body: { spec: { unschedulable: true } },
          contentType: mergePatchType,
          timeoutMs: 30_000,
        }),
      );
    const list = await listing;
    const byBudget = new Map<string, WirePod[]>();
    for (const pod of list.items) {
      if (!lost.has(pod.spec?.nodeName ?? "")) continue;
      const app = pod.metadata?.labels?.app ?? "";
      byBudget.set(app, [...(byBudget.get(app) ?? []), pod]);
    }
    await Promise.all(
      [...byBudget.values()].map(async (pods) => {
        let next = 0;
        await Promise.all(
          [...Array(writersPerBudget).keys()].map(async () => {
            while (running) {
              const pod = pods[next++];
              if (!pod) return;
              while (running && (await evict(api, pod)) === "blocked") {
                refused++;
                await new Promise((resolve) => setTimeout(resolve, 50));
              }
            }
          }),
        );
      }),
    );
  })();
  return {
    refused: () => refused,
    async stop() {
      running = false;
      await done.catch(() => undefined);
    },
  };
}

async function evict(api: KubeApi, pod: WirePod): Promise<"evicted" | "blocked" | "gone"> {
  const name = pod.metadata?.name ?? "";
  const namespace = pod.metadata?.namespace ?? "";
  try {
    await api.send("POST", `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, {
      body: {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, namespace },
        deleteOptions: { preconditions: { uid: pod.metadata?.uid } },
      },
      timeoutMs: 30_000,
    });
    return "evicted";
  } catch (error) {
    if (error instanceof KubernetesApiError && error.code === 429) return "blocked";
    if (error instanceof KubernetesApiError && (error.code === 404 || error.code === 409)) return "gone";
    // Anything else (a timeout under load): try the pod again.
    return "blocked";
  }
}
