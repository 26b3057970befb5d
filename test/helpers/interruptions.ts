import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { V1Pod } from "@kubernetes/client-node";
import { createInterruptionHandler } from "../../functions/adapters/interruption-wiring.ts";
import type { InterruptionNotification } from "../../functions/core/notifications.ts";
import { interruptionEventPatterns } from "../../stacks/event-patterns.ts";
import { deployment, pdb } from "../fixtures/workloads.ts";
import { pollOnce } from "./lambda.ts";
import { endpoints, eventually, type Kube, kube, uniqueName } from "./testbed.ts";

/**
 * A private copy of the deployed event routing for one test file: its own bus (so files never see each
 * other's events), the deployed patterns, a queue with a DLQ, and the handler as Lambda would run it.
 */
export async function interruptionRig(settings: Record<string, string> = {}) {
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});
  const bus = uniqueName("bus");
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const dlq = await createQueue(sqs, uniqueName("dlq"));
  const queue = await createQueue(sqs, uniqueName("interruptions"), {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
  });
  for (const [name, pattern] of Object.entries(interruptionEventPatterns)) {
    const rule = uniqueName(name);
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await events.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "q", Arn: queue.arn }] }));
  }
  const notifications: InterruptionNotification[] = [];
  const env = {
    AWS_REGION: process.env.AWS_REGION,
    KUBECONFIG: endpoints().kubeconfigPath,
    HARBORMASTER_DEAD_LETTER_QUEUE_URL: dlq.url,
    HARBORMASTER_HEARTBEAT_INTERVAL_SECONDS: "1",
    ...settings,
  };
  /** Another instance of the function, as in another Lambda execution environment (its own caches). */
  const newHandler = () =>
    createInterruptionHandler(env, {
      // The interruption handler sends interruption notifications only.
      notifier: { publish: async (n) => void notifications.push(n as InterruptionNotification) },
    });
  const handler = newHandler();

  return {
    sqs,
    queue,
    dlq,
    env,
    handler,
    newHandler,
    notifications,
    /** Puts an EventBridge event on this rig's bus, as AWS would emit it. */
    put(event: Record<string, unknown>) {
      return putEvent(events, bus, event);
    },
    /** An ASG lifecycle notification sent straight to SQS, with no envelope. */
    async send(body: string | object) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: typeof body === "string" ? body : JSON.stringify(body),
        }),
      );
    },
    poll(options: { remainingMs?: number; waitSeconds?: number } = {}) {
      return pollOnce(sqs, queue.url, queue.arn, handler, options);
    },
    /** One poll by the given instance, of one message at most (each instance takes its own copy). */
    pollWith(instance: typeof handler, options: { remainingMs?: number; waitSeconds?: number } = {}) {
      return pollOnce(sqs, queue.url, queue.arn, instance, { ...options, batchSize: 1 });
    },
    async dlqMessages() {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ["All"],
          WaitTimeSeconds: 1,
        }),
      );
      return Messages;
    },
  };
}

/** Puts a sample event on a bus as AWS would emit it (EventBridge gives it a new id). */
export async function putEvent(events: EventBridgeClient, bus: string, event: Record<string, unknown>) {
  const result = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: bus,
          Source: event.source as string,
          DetailType: event["detail-type"] as string,
          Detail: JSON.stringify(event.detail),
          Resources: event.resources as string[],
          Time: new Date(event.time as string),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) throw new Error("PutEvents failed");
}

export async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "30", ...attributes } }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? "" };
}

/** A spot-style event for an instance, emitted `agoMs` before now. */
export function eventFor(template: Record<string, unknown>, instanceId: string, agoMs = 0): Record<string, unknown> {
  const event = structuredClone(template);
  const text = JSON.stringify(event).replaceAll("i-0b662ef9931388ba0", instanceId);
  const copy = JSON.parse(text) as Record<string, unknown>;
  copy.id = crypto.randomUUID();
  copy.time = new Date(Date.now() - agoMs).toISOString().replace(/\.\d+Z$/, "Z");
  return copy;
}

/** A Deployment spread one pod per node over `nodeSelector`'s nodes, with an optional budget. */
export async function workload(
  namespace: string,
  name: string,
  replicas: number,
  nodeSelector: Record<string, string>,
  minAvailable?: number,
  { apps, policy, core }: Kube = kube(),
) {
  await apps.createNamespacedDeployment({ namespace, body: deployment(name, replicas, nodeSelector) });
  if (minAvailable !== undefined)
    await policy.createNamespacedPodDisruptionBudget({ namespace, body: pdb(name, minAvailable) });
  await runningPods(namespace, name, replicas, core);
  if (minAvailable !== undefined) {
    await eventually(async () => {
      const budget = await policy.readNamespacedPodDisruptionBudget({ name, namespace });
      if (
        budget.status?.observedGeneration !== budget.metadata?.generation ||
        budget.status?.currentHealthy !== replicas
      ) {
        throw new Error("budget not observed yet");
      }
    });
  }
}

export async function runningPods(namespace: string, app: string, count: number, core = kube().core): Promise<V1Pod[]> {
  return eventually(async () => {
    const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
    const running = list.items.filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp);
    if (running.length !== count) throw new Error(`${running.length}/${count} pods of ${app} running`);
    return running;
  });
}

export async function podsOnNode(nodeName: string, core = kube().core): Promise<V1Pod[]> {
  const list = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
  return list.items;
}
