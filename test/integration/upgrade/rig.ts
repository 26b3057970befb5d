// Two real clusters (the shared testbed as blue, a control plane of the file's own as green), a traffic
// domain in the emulator whose two weighted sets are them, and the traffic function with an upgrade.
import { randomUUID } from "node:crypto";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { AutoscalingV2Api } from "@kubernetes/client-node";
import { afterAll, beforeAll } from "vitest";
import { createTrafficHandler } from "../../../functions/adapters/traffic/wiring.ts";
import { heldLabel, stateAnnotation } from "../../../functions/core/prescaling/holds.ts";
import type { UpgradeNotification } from "../../../functions/core/upgrade/notifications.ts";
import { appDeployment, hpa } from "../../fixtures/prescaling-workloads.ts";
import { lambdaContext } from "../../helpers/lambda.ts";
import {
  type Cluster,
  createCluster,
  createNode,
  endpoints,
  eventually,
  type Kube,
  kube,
  randomInstanceId,
  uniqueName,
} from "../../helpers/testbed.ts";
import { trafficRig } from "../../helpers/traffic-rig.ts";

export interface App {
  name: string;
  replicas: number;
  min: number;
  max: number;
}

export interface WorldOptions {
  blue: App[];
  green: App[];
  plan?: unknown;
  upgrade?: Record<string, unknown>;
}

const side = (k: Kube) => ({ ...k, autoscaling: k.kc.makeApiClient(AutoscalingV2Api) });

export async function upgradeWorld(green: Cluster, options: WorldOptions) {
  const clusters = { blue: side(kube()), green: side(kube(green.kubeconfigPath)) };
  const namespace = uniqueName("upgrade");
  const pool = { "harbormaster.test/pool": namespace };
  const nodes: { k: Kube; name: string }[] = [];
  for (const k of Object.values(clusters)) {
    await k.core.createNamespace({ body: { metadata: { name: namespace } } });
    // The service account controller of a cluster started for this file can take longer than 30 s to
    // catch up while the whole suite loads the machine (a CI run missed 30 s twice).
    await eventually(() => k.core.readNamespacedServiceAccount({ name: "default", namespace }), 60_000);
    const node = await createNode(k.core, { instanceId: randomInstanceId(), labels: pool, capacity: { cpu: "16" } });
    nodes.push({ k, name: node.metadata?.name ?? "" });
  }
  const alarms = { blue: uniqueName("blue-5xx"), green: uniqueName("green-5xx") };
  const upgrade = {
    name: "web",
    domain: "app",
    blue: { cluster: "blue", alarms: [alarms.blue] },
    green: { cluster: "green", alarms: [alarms.green] },
    namespaces: [namespace],
    margin: 1.2,
    plan: options.plan ?? { steps: [{ percent: 50 }, { percent: 100 }] },
    bakeSeconds: 300,
    capacityTimeoutSeconds: 600,
    applications: ["web"],
    ...options.upgrade,
  };
  const env = {
    HARBORMASTER_CLUSTERS: JSON.stringify({
      blue: { eksCluster: "blue", kubeconfig: endpoints().kubeconfigPath },
      green: { eksCluster: "green", kubeconfig: green.kubeconfigPath },
    }),
    HARBORMASTER_UPGRADES: JSON.stringify([upgrade]),
    HARBORMASTER_UPGRADE_POLL_SECONDS: "5",
  };
  const rig = await trafficRig({ plan: "AllAtOnce", env });
  for (const name of Object.values(alarms)) {
    await new CloudWatchClient({}).send(alarmInput(name));
    await rig.setAlarm(name, "OK");
  }
  for (const [which, apps] of [["blue", options.blue] as const, ["green", options.green] as const]) {
    for (const app of apps) await deploy(which, app);
  }

  async function deploy(which: "blue" | "green", app: App) {
    const k = clusters[which];
    await k.apps.createNamespacedDeployment({ namespace, body: appDeployment(app.name, app.replicas, "10m", pool) });
    await deployHpaOnly(which, app);
  }
  async function deployHpaOnly(which: "blue" | "green", app: App) {
    const body = hpa(app.name, app.min, app.max);
    await clusters[which].autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body });
  }

  const notifications = rig.notifications as unknown as UpgradeNotification[];
  const world = {
    ...rig,
    clusters,
    namespace,
    alarms,
    deploy,
    deployHpaOnly,
    pool,
    notifications,
    upgradeTypes: () => notifications.map((n) => n.type).filter((t) => t.startsWith("upgrade_")),
    /** The custom event Slack and scripts send, as EventBridge delivers it to the function. */
    command(action: string, extra: Record<string, string> = {}, id: string = randomUUID()) {
      return rig.invoke({
        id,
        source: "harbormaster.upgrade",
        "detail-type": "Cluster Upgrade",
        time: new Date().toISOString(),
        detail: { upgrade: "web", action, actor: "tester", ...extra },
      });
    },
    /** A second process: the same settings, a handler of its own (as after a crash and a cold start). */
    freshHandler() {
      const handler = createTrafficHandler(rig.env, {
        clock: rig.clock,
        notifier: { publish: async (n) => void rig.notifications.push(n as never) },
      });
      return (event: unknown) => handler(event, lambdaContext());
    },
    async readHpa(which: "blue" | "green", name: string) {
      return clusters[which].autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name });
    },
    async minOf(which: "blue" | "green", name: string) {
      return (await world.readHpa(which, name)).spec?.minReplicas;
    },
    async held(which: "blue" | "green", name: string) {
      const meta = (await world.readHpa(which, name)).metadata;
      return meta?.annotations?.[stateAnnotation] !== undefined || meta?.labels?.[heldLabel] !== undefined;
    },
    async readyPods(which: "blue" | "green", name: string) {
      const d = await clusters[which].apps.readNamespacedDeployment({ namespace, name });
      return d.status?.readyReplicas ?? 0;
    },
    /** Until the HPA controller and kwok have `count` Ready pods of the app in that cluster. */
    async untilReady(which: "blue" | "green", name: string, count: number, timeoutMs = 60_000) {
      await eventually(
        async () => {
          const ready = await world.readyPods(which, name);
          if (ready < count) throw new Error(`${which} ${name}: ${ready}/${count} Ready`);
        },
        timeoutMs,
        250,
      );
    },
    /** Until the HPA controller has reported the app's replicas (the engine reads blue's from there). */
    async untilReported(which: "blue" | "green", name: string, replicas: number) {
      await eventually(
        async () => {
          const current = (await world.readHpa(which, name)).status?.currentReplicas;
          if (current !== replicas) throw new Error(`${which} ${name}: HPA reports ${current}, not ${replicas}`);
        },
        60_000,
        250,
      );
    },
    /** The upgrade's schedules for the revision Route53 holds now, earliest first, as tickets. */
    async currentTickets() {
      const m = await rig.metadata();
      const all = await rig.schedules();
      return all
        .filter((s) => s.Name?.startsWith("hmu-"))
        .map((s) => ({
          at: Date.parse(`${/at\((.*)\)/.exec(s.ScheduleExpression ?? "")?.[1]}Z`),
          input: JSON.parse(s.Target?.Input ?? "{}") as { revision: number; rolloutId: string },
        }))
        .filter((t) => t.input.revision === m?.revision && t.input.rolloutId === m?.rolloutId)
        .sort((a, b) => a.at - b.at);
    },
    /** What EventBridge Scheduler does when the current revision's check comes due: invoke with its input. */
    async fire(invoke: (event: unknown) => Promise<unknown> = rig.invoke) {
      const [ticket] = await world.currentTickets();
      if (!ticket) throw new Error(`no schedule for revision ${(await rig.metadata())?.revision}`);
      if (ticket.at > rig.clock.now()) rig.clock.advance(ticket.at - rig.clock.now());
      return invoke(ticket.input);
    },
    async cleanup() {
      for (const k of Object.values(clusters)) await k.core.deleteNamespace({ name: namespace }).catch(() => undefined);
      for (const n of nodes) await n.k.core.deleteNode({ name: n.name }).catch(() => undefined);
    },
  };
  return world;
}

export type UpgradeWorld = Awaited<ReturnType<typeof upgradeWorld>>;

/** An alarm in the emulator shaped like the domain's, for a cluster of its own. */
export const alarmInput = (name: string) =>
  new PutMetricAlarmCommand({
    AlarmName: name,
    Namespace: "App",
    MetricName: "5xx",
    Statistic: "Sum",
    Period: 60,
    EvaluationPeriods: 2,
    Threshold: 5,
    ComparisonOperator: "GreaterThanThreshold",
  });

/**
 * The suites' common fixture: a green control plane for the file, and a world where blue runs "web" at 4
 * reported replicas and green at 1 Ready. Every world made is cleaned up before green closes.
 */
export function webUpgradeFixture() {
  let green: Cluster;
  const worlds: UpgradeWorld[] = [];
  beforeAll(async () => {
    green = await createCluster({ name: "green" });
  }, 120_000);
  afterAll(async () => {
    for (const w of worlds) await w.cleanup();
    await green?.close();
  });
  return async (): Promise<UpgradeWorld> => {
    const w = await upgradeWorld(green, {
      blue: [{ name: "web", replicas: 4, min: 2, max: 10 }],
      green: [{ name: "web", replicas: 1, min: 1, max: 10 }],
    });
    worlds.push(w);
    await w.untilReported("blue", "web", 4);
    await w.untilReady("green", "web", 1);
    return w;
  };
}
