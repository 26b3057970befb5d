// Benchmark: what headroom costs a scale-up. The dev overlay's ad server scales from 3 to 3 + N pods on the
// testbed's real scheduler, alternately into free room (A) and into room held by headroom placeholders
// (B, every new pod preempts). It reports the time until all new pods run, per-pod latency and the
// scheduler's peak RSS, and writes the raw rounds to test/bench/results/k8s.json.
//
//   npm run bench:k8s -- [pairs=5] [newPods=12]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { PatchStrategy, requestOptions } from "../../../functions/adapters/kubernetes/request-options.ts";
import { applyAll, buildOverlay, isolate, runKey } from "../../helpers/k8s-manifests.ts";
import { k8sTools } from "../../helpers/k8s-tools.ts";
import { createSimulatedNode } from "../../testbed/nodes.ts";
import { silentProgress } from "../../testbed/progress.ts";
import { startTestbed } from "../../testbed/testbed.ts";

type Variant = "free room" | "headroom";
interface Round {
  variant: Variant;
  pair: number;
  allRunningMs: number;
  podMs: number[];
}

const [pairs = 5, newPods = 12] = process.argv.slice(2, 4).map(Number);
const base = 3;
const runId = "bench";
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const merge = requestOptions(10_000, PatchStrategy.MergePatch);

const testbed = await startTestbed({ progress: silentProgress });
try {
  const kc = new KubeConfig();
  kc.loadFromFile(testbed.endpoints.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const adserverNs = `${runId}-adserver`;
  const systemNs = `${runId}-harbormaster-system`;

  // Three general nodes of 8 cores, one per zone. The HPA is left out: the bench scales the Deployment
  // itself, so the HPA controller's 15 s sync is not what is measured.
  for (const zone of ["us-east-2a", "us-east-2b", "us-east-2c"]) {
    const capacity = { cpu: "8", memory: "32Gi", "ephemeral-storage": "100Gi" };
    const taints = [{ key: runKey, value: runId, effect: "NoSchedule" }];
    await createSimulatedNode(core, {
      instanceId: `i-bench${zone.slice(-1)}`,
      name: `bench-${zone}`,
      zone,
      labels: { [runKey]: runId },
      taints,
      capacity,
    });
  }
  const objects = isolate(await buildOverlay((await k8sTools()).kustomize, "dev"), runId).filter(
    (o) => o.kind !== "HorizontalPodAutoscaler" && !`${o.metadata?.namespace}${o.metadata?.name}`.includes("scissors"),
  );
  await applyAll(kc, objects);

  const list = async (namespace: string, app: string): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${app}` })).items;
  const scale = (namespace: string, name: string, replicas: number) =>
    apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } } }, merge);
  async function until(what: string, done: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
  const settled = (namespace: string, app: string, running: number) => async () => {
    const pods = await list(namespace, app);
    return (
      pods.length === running && pods.every((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp)
    );
  };
  // Placeholders fill the pool: more are asked for than fit, and the rest wait unschedulable.
  async function fillHeadroom(): Promise<void> {
    await scale(systemNs, "headroom", 48);
    await until("headroom to fill the pool", async () => {
      const pods = await list(systemNs, "headroom");
      const waiting = pods.filter((p) =>
        p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"),
      );
      const up = pods.filter((p) => p.status?.phase === "Running");
      return pods.length === 48 && waiting.length > 0 && up.length + waiting.length === 48;
    });
  }

  async function round(variant: Variant, pair: number): Promise<Round> {
    await scale(adserverNs, "adserver", base);
    await until("the ad server at its base", settled(adserverNs, "adserver", base));
    if (variant === "headroom") await fillHeadroom();
    else {
      await scale(systemNs, "headroom", 0);
      await until("no placeholders", async () => (await list(systemNs, "headroom")).length === 0);
    }
    const existing = new Set((await list(adserverNs, "adserver")).map((p) => p.metadata?.name));
    const t0 = Date.now();
    await scale(adserverNs, "adserver", base + newPods);
    const seen = new Map<string, number>();
    await until(
      "the new pods to run",
      async () => {
        for (const pod of await list(adserverNs, "adserver")) {
          const name = pod.metadata?.name ?? "";
          if (pod.status?.phase === "Running" && !existing.has(name) && !seen.has(name))
            seen.set(name, Date.now() - t0);
        }
        return seen.size >= newPods;
        // Past the scheduler's 5-minute flush of unschedulable pods: a stalled round is measured, not dropped.
      },
      330_000,
    ).catch(async (error: Error) => {
      const stuck = (await list(adserverNs, "adserver")).filter((p) => p.status?.phase !== "Running");
      for (const pod of stuck)
        log(
          `stuck ${pod.metadata?.name} nominated=${pod.status?.nominatedNodeName} ${pod.status?.conditions?.[0]?.message}`,
        );
      for (const node of ["bench-us-east-2a", "bench-us-east-2b", "bench-us-east-2c"]) {
        const bound = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
        log(
          `${node}: ${bound.map((p) => `${p.metadata?.name?.split("-")[0]}:${p.status?.phase}${p.metadata?.deletionTimestamp ? ":deleting" : ""}`).join(" ")}`,
        );
      }
      throw error;
    });
    const podMs = [...seen.values()].sort((a, b) => a - b);
    const allRunningMs = podMs.at(-1) ?? 0;
    log(`${variant} #${pair}: ${newPods} pods running after ${allRunningMs} ms`);
    return { variant, pair, allRunningMs, podMs };
  }

  log(`warm-up, then ${pairs} pairs of ${newPods} new pods (A: free room, B: headroom)`);
  await round("free room", 0);
  await round("headroom", 0);
  const rounds: Round[] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const order: Variant[] = pair % 2 ? ["free room", "headroom"] : ["headroom", "free room"];
    for (const variant of order) rounds.push(await round(variant, pair));
  }
  const schedulerPid = testbed.endpoints.pids["kube-scheduler"];
  const hwm = readFileSync(`/proc/${schedulerPid}/status`, "utf8").match(/VmHWM:\s+(\d+)/)?.[1];
  const schedulerPeakMiB = Math.round(Number(hwm) / 1024);

  const percentile = (values: number[], p: number) =>
    [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] ??
    Number.NaN;
  const rows = (["free room", "headroom"] as Variant[]).map((variant) => {
    const mine = rounds.filter((r) => r.variant === variant);
    const all = mine.map((r) => r.allRunningMs);
    const pods = mine.flatMap((r) => r.podMs);
    const median = percentile(all, 50);
    return {
      variant,
      rounds: mine.length,
      allRunningP50: median,
      podP50: percentile(pods, 50),
      podP99: percentile(pods, 99),
      podMax: Math.max(...pods),
      podsPerSecond: (newPods / median) * 1000,
    };
  });
  const table = [
    `| scale-up of ${newPods} pods | rounds | all running (median) | per pod p50 | p99 | max | pods/s |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.rounds} | ${r.allRunningP50} ms | ${r.podP50} ms | ${r.podP99} ms | ${r.podMax} ms | ${r.podsPerSecond.toFixed(1)} |`,
    ),
  ];
  process.stdout.write(`${table.join("\n")}\nkube-scheduler peak RSS: ${schedulerPeakMiB} MiB\n`);
  const results = join(import.meta.dirname, "..", "results");
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, "k8s.json"),
    JSON.stringify({ newPods, base, pairs, rows, rounds, schedulerPeakMiB }, null, 2),
  );
} finally {
  await testbed.stop();
}
