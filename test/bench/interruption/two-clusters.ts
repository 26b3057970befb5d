// The two-cluster arm: one deployment serving two clusters (the testbed's and a second control plane),
// half of the AZ loss in each, all warnings in one queue at once. Compared with the single-cluster arm of
// the same total size, it shows what routing costs: EC2 lookups and drain time.
import { startCluster } from "../../testbed/cluster.ts";
import { silentProgress } from "../../testbed/progress.ts";
import type { TestbedEndpoints } from "../../testbed/testbed.ts";
import { startHarbormaster } from "./harbormaster.ts";
import { type Milestones, observe } from "./observe.ts";
import { apiserverHost, countRequests, type RequestCounts } from "./requests.ts";
import { buildScenario, type ScenarioSize, sendSpotWarnings } from "./scenario.ts";

export interface TwoClusterRun {
  milestones: Milestones;
  pods: number;
  /** DescribeInstances + DescribeTags calls that reached the emulator for the burst. */
  instanceLookups: number;
  requests: RequestCounts;
  concurrency: { environments: number; peak: number };
}

export async function runTwoClusters(
  testbed: TestbedEndpoints,
  size: ScenarioSize,
  controlPlaneArgs: Record<string, readonly string[]>,
  windowMs: number,
  log: (m: string) => void,
): Promise<TwoClusterRun> {
  const half = { ...size, nodes: size.nodes / 2, deployments: size.deployments / 2 };
  const green = await startCluster({ name: "green", progress: silentProgress, extraArgs: controlPlaneArgs });
  try {
    const sides = [
      { name: "blue", eks: "bench-blue", kubeconfig: testbed.kubeconfigPath },
      { name: "green", eks: "bench-green", kubeconfig: green.kubeconfigPath },
    ];
    const scenarios = await Promise.all(
      sides.map((side) => buildScenario(side.kubeconfig, half, (m) => log(`${side.name}: ${m}`), side.eks)),
    );
    const [blueScenario, greenScenario] = scenarios as [(typeof scenarios)[0], (typeof scenarios)[0]];
    const handler = startHarbormaster(
      {
        HARBORMASTER_CLUSTERS: JSON.stringify(
          Object.fromEntries(sides.map((s) => [s.name, { eksCluster: s.eks, kubeconfig: s.kubeconfig }])),
        ),
      },
      blueScenario,
    );
    let sentAt = 0;
    const watching = Promise.all(
      sides.map((side, i) => observe(side.kubeconfig, scenarios[i] ?? blueScenario, () => sentAt, windowMs)),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // informers synced
    const before = await lookups(testbed.awsEndpoint);
    const counting = countRequests(sides.map((side) => apiserverHost(side.kubeconfig)));
    sentAt = Date.now();
    // Interleaved, as an AZ loss in two clusters would reach the one queue.
    const interleaved = blueScenario.lostNodes.flatMap((n, i) => [
      n,
      ...(greenScenario.lostNodes[i] ? [greenScenario.lostNodes[i]] : []),
    ]);
    await sendSpotWarnings(blueScenario, interleaved);
    const [blue, greenSide] = await watching;
    const requests = counting.stop();
    const concurrency = handler.concurrency();
    await handler.stop();
    const instanceLookups = (await lookups(testbed.awsEndpoint)) - before;
    if (!blue || !greenSide) throw new Error("an observer ended without milestones");
    return {
      milestones: combine(blue, greenSide),
      pods: blueScenario.pods + greenScenario.pods,
      instanceLookups,
      requests,
      concurrency,
    };
  } finally {
    await green.close();
  }
}

/** Both clusters done: the later of the two milestones, and pods counted across both. */
function combine(a: Milestones, b: Milestones): Milestones {
  const later = (x: number | null, y: number | null) => (x === null || y === null ? null : Math.max(x, y));
  return {
    allCordonedMs: later(a.allCordonedMs, b.allCordonedMs),
    allDrainedMs: later(a.allDrainedMs, b.allDrainedMs),
    podsDrained: a.podsDrained + b.podsDrained,
    elapsedMs: Math.max(a.elapsedMs, b.elapsedMs),
    lastMovedMs: Math.max(a.lastMovedMs, b.lastMovedMs),
    movedInWarning: a.movedInWarning + b.movedInWarning,
    timeline: a.timeline.map(([t, left], i) => [t, left + (b.timeline[Math.min(i, b.timeline.length - 1)]?.[1] ?? 0)]),
  };
}

/** EC2 instance lookups the emulator has answered so far (its edge counts requests by Action). */
export async function lookups(awsEndpoint: string): Promise<number> {
  const counts = (await (await fetch(`${awsEndpoint}/_harbormaster/requests`)).json()) as Record<string, number>;
  return (counts.DescribeInstances ?? 0) + (counts.DescribeTags ?? 0);
}
