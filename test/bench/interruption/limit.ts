// The terms of the fastest possible drain, measured on the testbed with no handler in the way: a bare
// client that evicts as fast as the apiserver lets it. See docs/interruptions-at-scale.md for the model.
//
//   node test/bench/interruption/limit.ts [replicas=100] [writers=20] [budgets=30]
//
// 1. waves: a Deployment of `replicas` pods under maxUnavailable 10%, all on cordoned nodes, drained by one
//    writer that evicts whenever the budget allows. Per slot: eviction accepted → the budget gives the slot
//    back (the replacement is Ready and the disruption controller has counted it); per pod: replacement
//    created → Ready.
// 2. one budget's eviction rate: maxUnavailable 100% (the budget never refuses, but every eviction still
//    charges it), evicted by one writer, then by `writers` at once.
// 3. the apiserver's rate across budgets: `budgets` budgets of 100%, one writer each, all at once.
import { AppsV1Api, CoreV1Api, KubeConfig, PolicyV1Api, type V1Pod } from "@kubernetes/client-node";
import { KubeApi, KubernetesApiError, mergePatchType } from "../../../functions/adapters/kubernetes/api.ts";
import { connectionFromKubeconfigFile } from "../../../functions/adapters/kubernetes/connection.ts";
import type { WireBudget } from "../../../functions/adapters/kubernetes/wire.ts";
import { mapLimit } from "../../../functions/core/concurrency.ts";
import { deployment } from "../../fixtures/workloads.ts";
import { createSimulatedNode } from "../../testbed/nodes.ts";
import { silentProgress } from "../../testbed/progress.ts";
import { startTestbed } from "../../testbed/testbed.ts";

const [replicas = 100, writers = 20, budgets = 30] = process.argv.slice(2, 5).map(Number);
const log = (message: string) => process.stderr.write(`[limit] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fastControlPlane = {
  "kube-controller-manager": ["--kube-api-qps=500", "--kube-api-burst=1000", "--concurrent-replicaset-syncs=20"],
  "kube-scheduler": ["--kube-api-qps=500", "--kube-api-burst=1000"],
};

const testbed = await startTestbed({ progress: silentProgress, extraArgs: fastControlPlane });
const { kubeconfigPath } = testbed.endpoints;
const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const policy = kc.makeApiClient(PolicyV1Api);
const api = new KubeApi(connectionFromKubeconfigFile(kubeconfigPath));
const namespace = "limit";

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0) : 0;
};
const stats = (values: number[]) =>
  `p50 ${pct(values, 50).toFixed(0)} ms, p90 ${pct(values, 90).toFixed(0)} ms, max ${pct(values, 100).toFixed(0)} ms (n=${values.length})`;

/** Accepted, refused by the budget, or gone; latency of the request. */
async function evict(pod: V1Pod): Promise<{ outcome: "evicted" | "blocked" | "gone"; ms: number }> {
  const started = performance.now();
  const name = pod.metadata?.name ?? "";
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
    return { outcome: "evicted", ms: performance.now() - started };
  } catch (error) {
    if (!(error instanceof KubernetesApiError)) throw error;
    if (error.code === 429) return { outcome: "blocked", ms: performance.now() - started };
    if (error.code === 404 || error.code === 409) return { outcome: "gone", ms: performance.now() - started };
    throw error;
  }
}

const budget = (name: string) =>
  api.send<WireBudget>("GET", `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/${name}`, {
    timeoutMs: 10_000,
  });

async function podsOf(app: string, onLost = true): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  return list.items.filter(
    (p) => !p.metadata?.deletionTimestamp && (p.spec?.nodeName ?? "").startsWith("lost-") === onLost,
  );
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** Deployments of `size` pods on the lost nodes (the only nodes yet), each under a budget of `maxUnavailable`. */
async function workload(names: string[], size: number, maxUnavailable: string): Promise<void> {
  await mapLimit(names, 10, async (name) => {
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment(name, size, undefined, { onePerNode: false }),
    });
    await policy.createNamespacedPodDisruptionBudget({
      namespace,
      body: { metadata: { name }, spec: { maxUnavailable, selector: { matchLabels: { app: name } } } },
    });
  });
}

const ready = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/**
 * Replacement pods, as a watch sees them: when each was created and when it was first Ready (local clock).
 * Polled by list every 100 ms: a watch would be lighter, but 100 ms is finer than the terms measured.
 */
function replacements(app: string) {
  const seen = new Map<string, { created: number; ready?: number }>();
  let running = true;
  const loop = (async () => {
    const initial = new Set((await podsOf(app)).map((p) => p.metadata?.uid));
    while (running) {
      const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
      const now = performance.now();
      for (const pod of list.items) {
        const uid = pod.metadata?.uid ?? "";
        if (initial.has(uid)) continue;
        const entry = seen.get(uid) ?? { created: now };
        if (ready(pod) && entry.ready === undefined) entry.ready = now;
        seen.set(uid, entry);
      }
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...seen.values()].filter((e) => e.ready !== undefined).map((e) => (e.ready ?? 0) - e.created);
    },
  };
}

/**
 * Term 1, in waves: evict as many pods as the budget allows, all at once, then wait until it allows that
 * many again (every replacement Ready and counted by the disruption controller). Repeated until the
 * Deployment has left the cordoned nodes; the wave's time is from its first eviction to the budget full again.
 */
async function waves(app: string) {
  const watch = replacements(app);
  const slots = (await budget(app)).status?.disruptionsAllowed ?? 0;
  const cycles: number[] = [];
  const recoveries: number[] = [];
  const latencies: number[] = [];
  let refused = 0;
  const started = performance.now();
  for (;;) {
    const pods = await podsOf(app);
    if (pods.length === 0) break;
    const waveStart = performance.now();
    const results = await Promise.all(pods.slice(0, slots).map(evict));
    const accepted = performance.now();
    for (const r of results) {
      if (r.outcome === "evicted") latencies.push(r.ms);
      if (r.outcome === "blocked") refused++;
    }
    // Full again: every slot back.
    for (;;) {
      const b = (await budget(app)).status;
      if ((b?.disruptionsAllowed ?? 0) >= slots) break;
      await sleep(20);
    }
    const full = performance.now();
    cycles.push(full - waveStart);
    recoveries.push(full - accepted);
  }
  const drainedMs = performance.now() - started;
  const ready = await watch.stop();
  return { slots, drainedMs, refused, latencies, cycles, recoveries, ready, waves: cycles.length };
}

/** Terms 2 and 3: evictions per second under budgets that never refuse, `perBudget` writers on each. */
async function rate(apps: string[], perBudget: number) {
  const latencies: number[] = [];
  let conflicts = 0;
  const started = performance.now();
  let evicted = 0;
  await Promise.all(
    apps.map(async (app) => {
      const pods = await podsOf(app);
      let next = 0;
      await Promise.all(
        [...Array(perBudget).keys()].map(async () => {
          while (next < pods.length) {
            const pod = pods[next++];
            if (!pod) break;
            const result = await evict(pod);
            latencies.push(result.ms);
            if (result.outcome === "evicted") evicted++;
            // The apiserver sleeps 500 ms on a conflicting budget write and retries: such an eviction shows as ≥ 450 ms.
            if (result.ms >= 450) conflicts++;
          }
        }),
      );
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { evicted, perSecond: evicted / seconds, latencies, slow: conflicts };
}

async function main() {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitFor(() => core.readNamespacedServiceAccount({ name: "default", namespace }).then(() => true), "namespace");
  const spread = budgets * 20;
  const total = 3 * replicas + spread;
  const nodes = Math.ceil(total / 60) + 1;
  await mapLimit([...Array(nodes).keys()], 10, (i) =>
    createSimulatedNode(core, {
      instanceId: `i-${(0xb000000 + i).toString(16).padStart(17, "0")}`,
      name: `lost-${i}`,
      capacity: { cpu: "8", pods: "110" },
    }),
  );
  const spreadApps = [...Array(budgets).keys()].map((i) => `b${i}`);
  await workload(["wave"], replicas, "10%");
  await workload(["one", "many"], replicas, "100%");
  await workload(spreadApps, 20, "100%");
  await waitFor(
    async () => (await core.listNamespacedPod({ namespace })).items.filter(ready).length === total,
    "all Ready",
  );
  await waitFor(async () => {
    const all = await Promise.all(["wave", "one", "many", ...spreadApps].map(budget));
    return all.every((b) => (b.status?.disruptionsAllowed ?? 0) > 0);
  }, "budgets processed");
  // Cordon the workload's nodes and give the replacements somewhere to go.
  await mapLimit([...Array(nodes).keys()], 10, (i) =>
    api.send("PATCH", `/api/v1/nodes/lost-${i}`, {
      body: { spec: { unschedulable: true } },
      contentType: mergePatchType,
      timeoutMs: 10_000,
    }),
  );
  await mapLimit([...Array(nodes).keys()], 10, (i) =>
    createSimulatedNode(core, {
      instanceId: `i-${(0xc000000 + i).toString(16).padStart(17, "0")}`,
      name: `spare-${i}`,
      capacity: { cpu: "8", pods: "110" },
    }),
  );
  log(`${total} pods on ${nodes} cordoned nodes, ${nodes} spare nodes`);

  const w = await waves("wave");
  log(
    `waves: ${replicas} pods under maxUnavailable 10% (${w.slots} slots, ${w.waves} waves), a wave at a time: ` +
      `drained in ${(w.drainedMs / 1000).toFixed(1)} s, ${w.refused} refusals`,
  );
  log(`  eviction accepted: ${stats(w.latencies)}`);
  log(`  wave (first eviction -> budget full again): ${stats(w.cycles)}`);
  log(`  slots back (last eviction of the wave accepted -> budget full again): ${stats(w.recoveries)}`);
  log(`  replacement created -> Ready: ${stats(w.ready)}`);
  const one = await rate(["one"], 1);
  log(
    `one budget, one writer: ${one.perSecond.toFixed(1)} evictions/s; latency ${stats(one.latencies)}; ${one.slow} took >= 450 ms`,
  );
  const many = await rate(["many"], writers);
  log(
    `one budget, ${writers} writers: ${many.perSecond.toFixed(1)} evictions/s; latency ${stats(many.latencies)}; ${many.slow} took >= 450 ms`,
  );
  const spread1 = await rate(spreadApps, 1);
  log(
    `${budgets} budgets, one writer each: ${spread1.perSecond.toFixed(1)} evictions/s; latency ${stats(spread1.latencies)}; ${spread1.slow} took >= 450 ms`,
  );
  const result = {
    replicas,
    writers,
    budgets,
    loadavg: (await import("node:os")).loadavg(),
    waves: {
      slots: w.slots,
      drainedMs: w.drainedMs,
      refused: w.refused,
      evictionP50: pct(w.latencies, 50),
      waveP50: pct(w.cycles, 50),
      slotBackP50: pct(w.recoveries, 50),
      slotBackP90: pct(w.recoveries, 90),
      readyP50: pct(w.ready, 50),
      readyP90: pct(w.ready, 90),
    },
    oneWriter: { perSecond: one.perSecond, p50: pct(one.latencies, 50), slow: one.slow },
    manyWriters: { perSecond: many.perSecond, p50: pct(many.latencies, 50), slow: many.slow },
    acrossBudgets: { perSecond: spread1.perSecond, p50: pct(spread1.latencies, 50), slow: spread1.slow },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const out = new URL("../results/", import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL("interruption-limit.json", out), JSON.stringify(result, null, 2));
}

try {
  await main();
} finally {
  await testbed.stop();
}
process.exit(0);
