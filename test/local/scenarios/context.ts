// What every scenario gets: the running stack's endpoints, API clients, a way to emit AWS events and to
// write on the live view's timeline, and the measurements it reports.
import { EC2Client } from "@aws-sdk/client-ec2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { AutoscalingV2Api, CoreV1Api, KubeConfig, type V1Node } from "@kubernetes/client-node";
import { readState } from "../../../functions/core/drain/node-state.ts";
import { nodeTarget } from "../clusters.ts";
import { putEvents } from "../routing.ts";
import type { LocalStackInfo } from "../stack.ts";
import type { TimelineEntry } from "../timeline.ts";

export interface Measurement {
  /** What was measured, e.g. "warning → cordoned". */
  name: string;
  samplesMs: number[];
}

export interface ScenarioResult {
  measurements: Measurement[];
  /** Facts a test asserts on: e.g. the nodes that were drained. */
  facts: Record<string, unknown>;
}

export type ScenarioContext = ReturnType<typeof scenarioContext>;

/**
 * `clusterName`: the cluster the scenario's events are about; blue (the first) unless a scenario says.
 * `started`: when its timeline's clock starts (a scenario's second context shares the first one's).
 */
export function scenarioContext(
  info: LocalStackInfo,
  print: (line: string) => void = () => {},
  clusterName?: string,
  started = Date.now(),
) {
  const cluster = clusterName ? info.clusters.find((c) => c.name === clusterName) : info.clusters[0];
  if (!cluster) throw new Error(`no cluster ${clusterName} in the local stack`);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const events = new EventBridgeClient({});
  const core = kc.makeApiClient(CoreV1Api);
  return {
    info,
    cluster,
    /** Where replacement nodes go: the scenario's cluster, as instances tagged with its EKS name. */
    nodeTarget: nodeTarget(cluster, new EC2Client({}), info.runId),
    kc,
    core,
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    /** Prints a line on the console only (a table, a line the live view already has). */
    print,
    started,
    /** Prints a timeline line and adds it to the live view. */
    async step(kind: TimelineEntry["kind"], source: string, text: string) {
      const at = Date.now();
      print(`  +${((at - started) / 1000).toFixed(2).padStart(7)} s  ${kind.padEnd(6)} ${source.padEnd(14)} ${text}`);
      await fetch(`${info.statusUrl}/api/timeline`, {
        method: "POST",
        body: JSON.stringify([{ at, kind, source, text }]),
      }).catch(() => {});
    },
    put: (list: Record<string, unknown>[]) => putEvents(events, info.bus, list),
    async nodes(): Promise<V1Node[]> {
      return (await core.listNode()).items;
    },
  };
}

export function phaseOf(node: V1Node): string | undefined {
  return readState({
    name: node.metadata?.name ?? "",
    annotations: node.metadata?.annotations ?? {},
    labels: {},
    taints: [],
    ready: true,
    unschedulable: false,
  })?.phase;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
