// What a run leaves behind: messages in the dead-letter queue, and lost nodes cordoned but still holding
// workload pods (a cordon without a finished drain). The 1,000-node target is that both are zero.
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Scenario } from "./scenario.ts";

export async function afterRun(kubeconfigPath: string, scenario: Scenario) {
  const sqs = new SQSClient({});
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: scenario.dlqUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  const dlqMessages =
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const lost = new Set(scenario.lostNodes.map((n) => n.name));
  const lostNodes = (await core.listNode()).items.filter(
    (n) => lost.has(n.metadata?.name ?? "") && n.spec?.unschedulable,
  );
  const cordoned = new Set(lostNodes.map((n) => n.metadata?.name ?? ""));
  const pods = await core.listNamespacedPod({ namespace: scenario.namespace });
  const holding = new Set(pods.items.map((p) => p.spec?.nodeName ?? "").filter((name) => cordoned.has(name)));
  // Harbormaster's own record: a node whose interruption never got past "cordoned" had no drain at all
  // (one that ran out of time says "failed"). NTH keeps no such record.
  const phases: Record<string, number> = {};
  for (const node of lostNodes) {
    const raw = node.metadata?.annotations?.["harbormaster.io/interruption"];
    const phase = raw ? String((JSON.parse(raw) as { phase?: string }).phase) : "none";
    phases[phase] = (phases[phase] ?? 0) + 1;
  }
  return { dlqMessages, undrainedCordoned: holding.size, phases };
}
