import { CoreV1Api, KubeConfig, makeInformer, type V1Node, type V1Pod } from "@kubernetes/client-node";
import type { Scenario } from "./scenario.ts";

export interface Milestones {
  /** ms from the warnings being put until every lost node was cordoned; null if not within the window. */
  allCordonedMs: number | null;
  /** ms until no pod of the workload was left on a lost node; null if not within the window. */
  allDrainedMs: number | null;
  /** Pods moved off the lost nodes by the end (all of them, or as many as the window allowed). */
  podsDrained: number;
  /** How long the observation ran: until drained, or the whole window. */
  elapsedMs: number;
  /** When the last pod left a lost node: throughput is counted over the time pods were moving. */
  lastMovedMs: number;
  /** Pods moved off the lost nodes within the spot warning's two minutes. */
  movedInWarning: number;
  /** [ms since start, pods still on lost nodes], once a second: the drain's curve. */
  timeline: [number, number][];
}

// BENCH_TRACE=1 also reports every 2 s through the first 20 s, where the cordons are.
const trace = process.env.BENCH_TRACE === "1";

/** A spot instance is reclaimed this long after its warning. */
export const warningMs = 120_000;

/**
 * Watches nodes and pods with informers (no polling load on the apiserver) and records when the whole
 * AZ was cordoned and when it was drained, counted from `start`.
 */
export async function observe(
  kubeconfigPath: string,
  scenario: Scenario,
  start: () => number,
  windowMs: number,
): Promise<Milestones> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const lost = new Set(scenario.lostNodes.map((n) => n.name));
  const nodes = makeInformer<V1Node>(kc, "/api/v1/nodes", () => core.listNode());
  const pods = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${scenario.namespace}/pods`, () =>
    core.listNamespacedPod({ namespace: scenario.namespace }),
  );
  await Promise.all([nodes.start(), pods.start()]);
  let cordonedMs: number | null = null;
  let drainedMs: number | null = null;
  let left = scenario.pods;
  let reportedAt = 0;
  // This process also runs every simulated execution environment: a busy event loop slows them all.
  let loop = performance.eventLoopUtilization();
  let lastMovedMs = 0;
  let movedInWarning = 0;
  const timeline: [number, number][] = [];
  try {
    while (start() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    for (;;) {
      const elapsed = Date.now() - start();
      if (cordonedMs === null) {
        const cordoned = nodes.list().filter((n) => lost.has(n.metadata?.name ?? "") && n.spec?.unschedulable).length;
        if (cordoned === lost.size) cordonedMs = elapsed;
      }
      const nowLeft = pods.list().filter((p) => lost.has(p.spec?.nodeName ?? "")).length;
      if (nowLeft < left) lastMovedMs = elapsed;
      left = nowLeft;
      if (elapsed <= warningMs) movedInWarning = scenario.pods - left;
      if (elapsed >= (timeline.length ? (timeline.at(-1)?.[0] ?? 0) + 1_000 : 0)) timeline.push([elapsed, left]);
      if (elapsed - reportedAt >= (trace && elapsed < 20_000 ? 2_000 : 10_000)) {
        reportedAt = elapsed;
        const busy = performance.eventLoopUtilization(loop);
        loop = performance.eventLoopUtilization();
        progress(elapsed, nodes.list(), pods.list(), lost, left, busy.utilization);
      }
      if (left === 0 && cordonedMs !== null) drainedMs = elapsed;
      if (drainedMs !== null || elapsed > windowMs) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await Promise.all([nodes.stop(), pods.stop()]);
  }
  return {
    allCordonedMs: cordonedMs,
    allDrainedMs: drainedMs,
    podsDrained: scenario.pods - left,
    elapsedMs: drainedMs ?? windowMs,
    lastMovedMs,
    movedInWarning,
    timeline: [...timeline, [drainedMs ?? windowMs, left]],
  };
}

// Where the pipeline stands every ten seconds: a stall shows as pods piling up in one of these columns.
function progress(
  elapsedMs: number,
  nodes: readonly V1Node[],
  pods: readonly V1Pod[],
  lost: Set<string>,
  left: number,
  loopBusy: number,
): void {
  const cordoned = nodes.filter((n) => lost.has(n.metadata?.name ?? "") && n.spec?.unschedulable).length;
  const terminating = pods.filter((p) => p.metadata?.deletionTimestamp).length;
  const pending = pods.filter((p) => !p.spec?.nodeName).length;
  const unready = pods.filter(
    (p) =>
      p.spec?.nodeName &&
      !p.metadata?.deletionTimestamp &&
      !p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
  process.stderr.write(
    `[bench]   t=${Math.round(elapsedMs / 1000)}s cordoned ${cordoned}/${lost.size}, left on lost nodes ${left}, ` +
      `terminating ${terminating}, unscheduled ${pending}, scheduled but not ready ${unready}, ` +
      `bench event loop busy ${Math.round(loopBusy * 100)}%\n`,
  );
}
