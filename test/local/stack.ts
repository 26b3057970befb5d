// The local control plane on a running testbed: the simulated clusters with the dev overlay, the services,
// the deployed event routing in the emulator, every function behind a local SQS event source, and the live
// view. stop() leaves nothing of it running.
import { writeFileSync } from "node:fs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { Route53Client } from "@aws-sdk/client-route-53";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createInterruptionHandler } from "../../functions/adapters/interruption-wiring.ts";
import { createPrescalingHandler } from "../../functions/adapters/prescaling/wiring.ts";
import { createSlackNotifier } from "../../functions/adapters/slack/queued-notifier.ts";
import { createTrafficHandler } from "../../functions/adapters/traffic/wiring.ts";
import { parsePolicies } from "../../functions/config/prescaling-config.ts";
import type { Notification } from "../../functions/core/notifications.ts";
import { drainEventSource, eventSourceScaling, interruptionQueueSettings } from "../../stacks/event-patterns.ts";
import { prescalingQueueSettings } from "../../stacks/prescaling-patterns.ts";
import { runKey } from "../helpers/k8s-manifests.ts";
import { lambdaContext } from "../helpers/lambda.ts";
import type { TestbedEndpoints } from "../testbed/testbed.ts";
import { type ClusterInput, clustersEnv, type LocalClusterInfo, setUpClusters, tearDownClusters } from "./clusters.ts";
import { type EventSource, startEventSource } from "./event-source.ts";
import { localPolicies } from "./policies.ts";
import { createRouting, type Routing } from "./routing.ts";
import { startClusterServices } from "./services.ts";
import { startSlack } from "./slack.ts";
import { takeSnapshot } from "./snapshot.ts";
import { startStatusServer } from "./status-server.ts";
import { Timeline } from "./timeline.ts";
import { createTrafficWorld, startScheduler } from "./traffic.ts";
import { localUpgrades } from "./upgrades.ts";

export interface LocalStackOptions {
  /** Isolates the run on a shared cluster (tests): its own nodes, renamed manifests, its own bus. */
  runId?: string;
  /** The clusters it serves; the first is the one scenarios target. Default: the testbed's, as blue. */
  clusters?: ClusterInput[];
  /** Start Scissors and the ad server, one of each per cluster (default true). */
  services?: boolean;
  statusPort?: number;
  log?: (step: string, message: string) => void;
}

/** What a scenario needs to reach a running stack; the start command writes it to a file. */
export interface LocalStackInfo {
  statusUrl: string;
  /** The local Slack view. */
  slackUrl: string;
  /** Every cluster it serves, blue first: scenarios target it unless they say otherwise. */
  clusters: LocalClusterInfo[];
  awsEndpoint: string;
  redisUrl: string;
  bus: string;
  runId?: string;
  /** Blue's; each cluster's own are on its entry in `clusters`. */
  scissorsUrl?: string;
  adserverUrl?: string;
  /** The traffic domain the upgrades shift: its hosted zone and weighted record. */
  traffic?: { domain: string; hostedZoneId: string; recordName: string };
}

export interface LocalStack {
  info: LocalStackInfo;
  routing: Routing;
  timeline: Timeline;
  stop(): Promise<void>;
}

/** The SDK's standard configuration, pointed at the emulator. */
export function useEmulator(awsEndpoint: string): void {
  process.env.AWS_ENDPOINT_URL = awsEndpoint;
  process.env.AWS_REGION ??= "us-east-2";
  process.env.AWS_ACCESS_KEY_ID ??= "testing";
  process.env.AWS_SECRET_ACCESS_KEY ??= "testing";
  // The functions log JSON and print metrics as Lambda would; locally the timeline shows what they did.
  process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
}

function describe(notification: Notification): string {
  const n = notification as unknown as Record<string, unknown>;
  const subject = n.nodeName ?? n.node ?? n.instanceId ?? n.target ?? n.service ?? n.policy ?? n.upgrade ?? "";
  const targets = Array.isArray(n.targets)
    ? (n.targets as { target: { name: string }; changes: unknown; error?: string }[]).map(
        (t) => ` ${t.target.name}: ${JSON.stringify(t.changes)}${t.error ? ` (${t.error})` : ""}`,
      )
    : [];
  const changes = Array.isArray(n.changes) ? ` ${JSON.stringify(n.changes)}` : "";
  return `${notification.type}${subject ? ` ${String(subject)}` : ""}${targets.join(";")}${changes}${upgradeFacts(n)}`.slice(
    0,
    500,
  );
}

/** An upgrade's step, capacity and outcome, so the timeline (and a scenario reading it) has the figures. */
function upgradeFacts(n: Record<string, unknown>): string {
  if (typeof n.type !== "string" || !n.type.startsWith("upgrade_")) return "";
  const keys = ["step", "of", "percent", "ready", "capacityWaitMs", "stepMs", "durationMs", "reason", "missing"];
  const facts = keys.filter((k) => n[k] !== undefined).map((k) => `${k}=${JSON.stringify(n[k])}`);
  if (Array.isArray(n.floors))
    facts.push(
      `floors=${(n.floors as { hpa: string; floor: number; ready: number }[]).map((f) => `${f.hpa}:${f.floor}/${f.ready}`).join(",")}`,
    );
  if (n.weights) facts.push(`weights=${JSON.stringify(n.weights)}`);
  return facts.length ? ` ${facts.join(" ")}` : "";
}

export async function startLocalStack(testbed: TestbedEndpoints, options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  useEmulator(testbed.awsEndpoint);
  const stops: (() => Promise<void>)[] = [];
  // Filled in once everything is up; scenarios add the replacement nodes they bring, so cleanup sees them.
  const info = {} as LocalStackInfo;
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
    stops.length = 0;
  };
  try {
    const timeline = new Timeline();
    const prefix = options.runId ?? "harbormaster-local";
    const inputs = options.clusters ?? [{ name: "blue", kubeconfigPath: testbed.kubeconfigPath }];
    const names = inputs.map((c) => c.name).join(", ");

    log(
      "cluster",
      `${names}: creating nodes (3 zones, a general spot pool, a scissors pool), applying k8s/overlays/dev`,
    );
    const clusters = await setUpClusters(inputs, options.runId);
    // A test's run leaves the shared cluster as it found it; the start command's clusters go with it.
    if (options.runId) stops.push(() => tearDownClusters(clusters));
    const clusterInfos = clusters.map((c) => c.info);
    log("cluster", clusters.map((c) => `${c.info.name}: ${c.info.nodes.length} nodes`).join(", "));
    const clustersJson = clustersEnv(clusterInfos);

    log("aws", "creating EventBridge rules and queues from stacks/ definitions");
    const sqs = new SQSClient({});
    const events = new EventBridgeClient({});
    const policiesJson = JSON.stringify(localPolicies(options.runId));
    const policies = parsePolicies(policiesJson);
    const world = await createTrafficWorld(prefix);
    const bus = options.runId ? `${options.runId}-bus` : "default";
    const trafficAlarms = [...world.alarms.blue, ...world.alarms.green];
    const routing = await createRouting(sqs, events, prefix, policies, trafficAlarms, bus);

    if (options.services !== false) {
      log("services", `starting an ad server and a Scissors for each cluster (${names})`);
      const logDir = testbed.workDir ? `${testbed.workDir}/logs` : ".";
      const services = await startClusterServices(
        testbed,
        logDir,
        clusterInfos.map((c) => c.name),
      );
      stops.push(() => services.stop());
      for (const c of clusterInfos) {
        c.adserverUrl = services.byCluster[c.name]?.adserverUrl;
        c.scissorsUrl = services.byCluster[c.name]?.scissorsUrl;
      }
    }
    // An upgrade needs both sides: a stack of blue alone (a test's single-cluster run) configures none.
    const bothSides = ["blue", "green"].every((name) => clusterInfos.some((c) => c.name === name));
    const upgrades = bothSides
      ? localUpgrades({ domain: world.domain, alarms: world.alarms, runId: options.runId })
      : [];
    const upgradesJson = JSON.stringify(upgrades);

    log("functions", "starting the interruption and pre-scaling functions behind their SQS event sources");
    log("slack", "starting the Slack worker, the command function and a local Slack Web API");
    const slack = await startSlack(
      sqs,
      prefix,
      clusterInfos,
      bus,
      routing.prescaling.url,
      Object.fromEntries(
        upgrades.map((u) => [u.name, { domain: u.domain, blue: u.blue.cluster, green: u.green.cluster }]),
      ),
    );
    stops.push(() => slack.stop());
    // Each function queues for Slack as deployed; the timeline gets the same notifications.
    const queued = createSlackNotifier(slack.env, { log: (message) => log("slack", message) });
    const notifierFor = (source: string) => ({
      publish: async (notification: Notification) => {
        timeline.add({ kind: "action", source, text: describe(notification) });
        await queued?.publish(notification);
      },
    });
    const notifier = notifierFor("interruptions");
    const onBatch = (b: { name: string; received: number; failed: number; ms: number }) =>
      timeline.add({
        kind: "action",
        source: b.name,
        text: `batch of ${b.received} handled in ${b.ms} ms${b.failed ? `, ${b.failed} returned for retry` : ""}`,
      });
    const sources: EventSource[] = [
      ...(["interruptions", "drains"] as const).map((stage) =>
        startEventSource({
          name: stage,
          sqs,
          queue: stage === "interruptions" ? routing.interruptions : routing.drains,
          scaling: stage === "interruptions" ? eventSourceScaling : drainEventSource,
          timeoutMs: (interruptionQueueSettings.visibilityTimeoutSeconds - 30) * 1000,
          makeHandler: () =>
            createInterruptionHandler(
              {
                AWS_REGION: process.env.AWS_REGION,
                // Every cluster; the function finds an instance's by its eks:cluster-name tag.
                HARBORMASTER_CLUSTERS: clustersJson,
                HARBORMASTER_DEAD_LETTER_QUEUE_URL: routing.interruptionsDlq.url,
                HARBORMASTER_MAX_RECEIVE_COUNT: String(interruptionQueueSettings.maxReceiveCount),
                HARBORMASTER_HEARTBEAT_INTERVAL_SECONDS: "5",
                // Two stages, as deployed: the first cordons and hands each drain to the second.
                ...(stage === "interruptions"
                  ? { HARBORMASTER_DRAIN_QUEUE_URL: routing.drains.url }
                  : { HARBORMASTER_DRAIN_SLICE_SECONDS: String(drainEventSource.sliceSeconds) }),
              },
              { notifier },
            ),
          onBatch,
          onError: (error) => log("functions", `invocation failed: ${String(error)}`),
        }),
      ),
      startEventSource({
        name: "prescaling",
        sqs,
        queue: routing.prescaling,
        scaling: {
          initialConcurrency: 1,
          maximumConcurrency: prescalingQueueSettings.maximumConcurrency,
          batchSize: prescalingQueueSettings.batchSize,
          batchWindowSeconds: 0,
        },
        timeoutMs: (prescalingQueueSettings.visibilityTimeoutSeconds - 30) * 1000,
        makeHandler: () =>
          createPrescalingHandler(
            {
              AWS_REGION: process.env.AWS_REGION,
              HARBORMASTER_CLUSTERS: clustersJson,
              HARBORMASTER_PRESCALING_POLICIES: policiesJson,
            },
            { notifier: notifierFor("prescaling") },
          ),
        onBatch,
        onError: (error) => log("functions", `invocation failed: ${String(error)}`),
      }),
    ];
    const traffic = createTrafficHandler(
      {
        AWS_REGION: process.env.AWS_REGION,
        HARBORMASTER_TRAFFIC_DOMAINS: world.domainsJson,
        HARBORMASTER_TRAFFIC_SCHEDULE_GROUP: world.group,
        HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/harbormaster-traffic-scheduler",
        HARBORMASTER_TRAFFIC_FUNCTION_ARN: "arn:aws:lambda:us-east-2:123456789012:function:harbormaster-traffic",
        HARBORMASTER_EVENT_BUS_NAME: bus,
        // Cluster upgrades (docs/traffic.md): the clusters they read and scale, as the other functions get them.
        HARBORMASTER_CLUSTERS: clustersJson,
        HARBORMASTER_UPGRADES: upgradesJson,
        // Capacity waits look again every 2 s, not 10: a local step's pods are Ready in seconds.
        HARBORMASTER_UPGRADE_POLL_SECONDS: "2",
      },
      { notifier: notifierFor("traffic") },
    );
    const invokeTraffic = async (input: unknown) => {
      await traffic(input, lambdaContext(60_000));
    };
    sources.push(
      startEventSource({
        name: "traffic",
        sqs,
        queue: routing.traffic,
        scaling: { initialConcurrency: 1, maximumConcurrency: 1, batchSize: 1, batchWindowSeconds: 0 },
        timeoutMs: 60_000,
        // EventBridge invokes the function once per event; a failure is retried, as its target retries.
        makeHandler: () => async (event) => {
          const batchItemFailures: { itemIdentifier: string }[] = [];
          for (const record of event.Records) {
            await invokeTraffic(JSON.parse(record.body)).catch(() =>
              batchItemFailures.push({ itemIdentifier: record.messageId }),
            );
          }
          return { batchItemFailures };
        },
        onBatch,
        onError: (error) => log("functions", `invocation failed: ${String(error)}`),
      }),
    );
    const scheduler = startScheduler(world.group, invokeTraffic, (error) => log("scheduler", String(error)));
    stops.push(async () => {
      await scheduler.stop();
      await Promise.all(sources.map((s) => s.stop()));
    });

    const route53 = new Route53Client({});
    const ours = options.runId ? (labels: Record<string, string>) => labels[runKey] === options.runId : undefined;
    const views = clusters.map((c) => ({ ...c.info, core: c.core, autoscaling: c.autoscaling, nodeFilter: ours }));
    const slackView = {
      state: () => ({ messages: slack.slack.messages, responses: slack.slack.responses }),
      command: (text: string) => slack.slashCommand(text),
      confirm: (value: string) => slack.confirm(value),
    };
    const status = await startStatusServer(timeline, () => takeSnapshot(views, route53), slackView, options.statusPort);
    stops.push(() => status.stop());
    timeline.add({ kind: "note", source: "local", text: "local control plane started" });

    Object.assign(info, {
      statusUrl: status.url,
      slackUrl: `${status.url}/slack`,
      clusters: clusterInfos,
      awsEndpoint: testbed.awsEndpoint,
      redisUrl: testbed.redisUrl,
      bus: routing.bus,
      runId: options.runId,
      scissorsUrl: clusterInfos[0]?.scissorsUrl,
      adserverUrl: clusterInfos[0]?.adserverUrl,
      traffic: { domain: world.domain, hostedZoneId: world.zoneId, recordName: world.recordName },
    });
    return { info, routing, timeline, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function writeInfo(path: string, info: LocalStackInfo): void {
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`);
}
