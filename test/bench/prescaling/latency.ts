import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, SchedulingV1Api } from "@kubernetes/client-node";
import { headroomLabel, placeholderDeployment } from "../../../functions/adapters/prescaling/kubernetes-headroom.ts";
import { createPrescalingHandler } from "../../../functions/adapters/prescaling/wiring.ts";
import { headroomSchema } from "../../../functions/core/prescaling/policy.ts";
import { prescalingAlarmPattern } from "../../../stacks/prescaling-patterns.ts";
import { cloudWatchTimestamp } from "../../fixtures/prescaling-events.ts";
import { appDeployment, hpa } from "../../fixtures/prescaling-workloads.ts";
import { pollOnce } from "../../helpers/lambda.ts";
import { createSimulatedNode } from "../../testbed/nodes.ts";

export type Variant = "harbormaster" | "direct";
export interface LatencyRun {
  variant: Variant;
  pair: number;
  eventToPatchedMs: number;
  eventToRunningMs: number;
  preempted: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One scenario per run, in a namespace of its own on a one-node pool: 2 app pods and, for Harbormaster,
 * 3 placeholders filling the node. A: an ALARM goes through EventBridge, SQS and the handler; B: the
 * floor is patched in-process (the physical limit: no event, queue or handler). Both wait for the third pod.
 */
export async function latencyBench(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});
  const cloudwatch = new CloudWatchClient({});
  await kc
    .makeApiClient(SchedulingV1Api)
    .createPriorityClass({ body: { metadata: { name: "bench-headroom" }, value: -10 } });
  await events.send(new CreateEventBusCommand({ Name: "bench" }));
  const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "bench-prescaling" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const queueArn = Attributes?.QueueArn ?? "";
  let runs = 0;

  return async function run(variant: Variant, pair: number): Promise<LatencyRun> {
    const id = `bench-${++runs}`;
    const namespace = id;
    const pool = { "harbormaster.test/pool": id };
    const alarm = `${id}-p99`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createSimulatedNode(core, {
      instanceId: `i-0bench${String(runs).padStart(10, "0")}`,
      labels: pool,
      capacity: { cpu: "2" },
    });
    while (!(await core.listNamespacedServiceAccount({ namespace })).items.length) await sleep(100);
    await apps.createNamespacedDeployment({ namespace, body: appDeployment("app", 2, "400m", pool) });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: hpa("app", 2, 10) });
    const headroom = headroomSchema.parse({
      namespace,
      name: "headroom",
      priorityClassName: "bench-headroom",
      unit: { cpu: "400m", memory: "64Mi" },
      nodeSelector: pool,
      sizing: { mode: "units", units: 3 },
    });
    if (variant === "harbormaster") {
      const body = placeholderDeployment(headroom);
      if (body.spec) body.spec.replicas = 3;
      await apps.createNamespacedDeployment({ namespace, body });
    }
    await runningCount(`app=app`, 2);
    if (variant === "harbormaster") await runningCount(`${headroomLabel}=headroom`, 3);

    let handle: (() => Promise<void>) | undefined;
    if (variant === "harbormaster") {
      const rule = `${id}-alarms`;
      const pattern = prescalingAlarmPattern([{ alarms: [alarm] }]);
      await events.send(
        new PutRuleCommand({ Name: rule, EventBusName: "bench", EventPattern: JSON.stringify(pattern) }),
      );
      await events.send(
        new PutTargetsCommand({ Rule: rule, EventBusName: "bench", Targets: [{ Id: "q", Arn: queueArn }] }),
      );
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: alarm,
          Namespace: "Bench",
          MetricName: "p99",
          Statistic: "Maximum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      );
      const policies = [
        { name: "surge", alarms: [alarm], targets: [{ namespace, name: "app" }], floor: { mode: "add", replicas: 1 } },
      ];
      const handler = createPrescalingHandler(
        {
          AWS_REGION: process.env.AWS_REGION,
          KUBECONFIG: kubeconfigPath,
          HARBORMASTER_PRESCALING_POLICIES: JSON.stringify(policies),
        },
        { notifier: { publish: async () => {} } },
      );
      handle = async () => {
        await pollOnce(sqs, QueueUrl, queueArn, handler, { waitSeconds: 1 });
      };
    }

    const t0 = performance.now();
    if (variant === "harbormaster") {
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: "ALARM", StateReason: "bench" }));
      const at = new Date();
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: "bench",
              Source: "aws.cloudwatch",
              DetailType: "CloudWatch Alarm State Change",
              Time: at,
              Detail: JSON.stringify({
                alarmName: alarm,
                state: { value: "ALARM", timestamp: cloudWatchTimestamp(at) },
              }),
            },
          ],
        }),
      );
    }
    const patched = watchPatched(namespace);
    if (handle) await handle();
    else {
      await autoscaling.patchNamespacedHorizontalPodAutoscaler({
        namespace,
        name: "app",
        body: [{ op: "replace", path: "/spec/minReplicas", value: 3 }],
      });
    }
    const eventToPatchedMs = (await patched) - t0;
    await runningCount("app=app", 3, 120_000);
    const eventToRunningMs = performance.now() - t0;
    const placeholders = await core.listNamespacedPod({ namespace, labelSelector: `${headroomLabel}=headroom` });
    const preempted = placeholders.items.some((p) => !p.spec?.nodeName);
    await core.deleteNamespace({ name: namespace });
    await core.deleteNode({
      name: (await core.listNode({ labelSelector: `harbormaster.test/pool=${id}` })).items[0]?.metadata?.name ?? "",
    });
    return { variant, pair, eventToPatchedMs, eventToRunningMs, preempted };

    async function runningCount(selector: string, count: number, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
        if (list.items.filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp).length >= count)
          return;
        if (Date.now() > deadline) throw new Error(`${selector}: ${count} pods not running in ${timeoutMs} ms`);
        await sleep(50);
      }
    }
  };

  // Watches the floor from the moment the event goes in, as a dashboard would, every 10 ms.
  async function watchPatched(namespace: string): Promise<number> {
    for (;;) {
      const current = await autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name: "app" });
      if (current.spec?.minReplicas === 3) return performance.now();
      await sleep(10);
    }
  }
}
