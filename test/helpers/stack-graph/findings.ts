// Checks over a stack graph, each returning what is wrong as one line per problem (empty: nothing), so a
// failing test names the resource and the fault. The expectations come from the config and the docs, not
// from the stacks' code.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadInterruptionConfig } from "../../../functions/config/interruption-config.ts";
import { loadPrescalingConfig } from "../../../functions/config/prescaling-config.ts";
import {
  loadSlackCommandConfig,
  loadSlackNotifierConfig,
  loadSlackWorkerConfig,
} from "../../../functions/config/slack-config.ts";
import { loadDeployWebhookConfig, loadTrafficConfig } from "../../../functions/config/traffic-config.ts";
import type { Resource, StackGraph } from "./graph.ts";
import {
  allows,
  deadLetterQueues,
  environment,
  queuesReadBy,
  readersOf,
  redrive,
  roleStatements,
  types,
} from "./wiring.ts";

/** Each handler's cold-start loader: what the function itself parses from its environment. */
const loaders: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  "functions/interruptions.handler": loadInterruptionConfig,
  "functions/drains.handler": loadInterruptionConfig,
  "functions/prescaling.handler": loadPrescalingConfig,
  "functions/slack-command.handler": loadSlackCommandConfig,
  "functions/slack-worker.handler": loadSlackWorkerConfig,
  "functions/traffic.handler": loadTrafficConfig,
  "functions/deploy-webhook.handler": loadDeployWebhookConfig,
};
const notifying = [
  "functions/interruptions.handler",
  "functions/drains.handler",
  "functions/prescaling.handler",
  "functions/traffic.handler",
];
/** The two stages of interruption handling read queues of the same settings (stacks/interruptions.ts). */
const draining = ["functions/interruptions.handler", "functions/drains.handler"];

const label = (r: Resource) => r.parent?.name ?? r.name;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ");

/** The environment Lambda would start the function with: its variables plus the runtime's AWS_REGION. */
export function lambdaEnv(fn: Resource): NodeJS.ProcessEnv {
  return { ...environment(fn), AWS_REGION: fn.region };
}

export function environmentFindings(graph: StackGraph): string[] {
  const slackQueue = graph.of(types.lambda).find((f) => f.inputs.handler === "functions/slack-worker.handler");
  const slackQueueUrl = slackQueue && queuesReadBy(graph, slackQueue)[0]?.outputs.url;
  return graph.of(types.lambda).flatMap((fn) => {
    const handler = String(fn.inputs.handler);
    const load = loaders[handler];
    if (!load) return [`${label(fn)}: no loader known for ${handler}`];
    let config: Record<string, unknown>;
    try {
      config = load(lambdaEnv(fn)) as Record<string, unknown>;
    } catch (error) {
      return [`${label(fn)}: its loader refuses the environment: ${message(error)}`];
    }
    const found: string[] = [];
    if (draining.includes(handler)) {
      const [queue] = queuesReadBy(graph, fn);
      const policy = queue && redrive(queue);
      const dlq = policy && graph.byArn(policy.deadLetterTargetArn);
      if (config.deadLetterQueueUrl !== dlq?.outputs.url)
        found.push(`${label(fn)}: dead-letter queue ${config.deadLetterQueueUrl}, its queue's is ${dlq?.outputs.url}`);
      if (config.maxReceiveCount !== policy?.maxReceiveCount)
        found.push(`${label(fn)}: maxReceiveCount ${config.maxReceiveCount}, its queue's ${policy?.maxReceiveCount}`);
    }
    if (handler === "functions/interruptions.handler") {
      // It hands drains to the queue its group's drain function reads.
      const clusters = environment(fn).HARBORMASTER_CLUSTERS;
      const drainer = graph
        .of(types.lambda)
        .find(
          (f) => f.inputs.handler === "functions/drains.handler" && environment(f).HARBORMASTER_CLUSTERS === clusters,
        );
      const drainQueueUrl = drainer && queuesReadBy(graph, drainer)[0]?.outputs.url;
      if (!drainQueueUrl || config.drainQueueUrl !== drainQueueUrl)
        found.push(`${label(fn)}: hands drains to ${config.drainQueueUrl}, its drain function reads ${drainQueueUrl}`);
    }
    if (handler === "functions/slack-command.handler" && config.queueUrl !== slackQueueUrl)
      found.push(`${label(fn)}: queues commands to ${config.queueUrl}, the worker reads ${slackQueueUrl}`);
    if (notifying.includes(handler) && slackQueueUrl) {
      const notifier = loadSlackNotifierConfig(lambdaEnv(fn));
      if (notifier?.queueUrl !== slackQueueUrl)
        found.push(`${label(fn)}: notifications go to ${notifier?.queueUrl}, the Slack worker reads ${slackQueueUrl}`);
    }
    return found;
  });
}

/** The function each rule's events are for, by the stack that made the rule. */
function handlerFor(rule: Resource): string | undefined {
  const [, stack] = /^(Interruption|Prescaling|Traffic)/.exec(rule.name) ?? [];
  return stack && { Interruption: "interruptions", Prescaling: "prescaling", Traffic: "traffic" }[stack];
}

export function ruleFindings(graph: StackGraph): string[] {
  const rules = graph.of(types.rule);
  const targets = graph.of(types.target);
  const untargeted = rules
    .filter((rule) => !targets.some((t) => t.inputs.rule === rule.outputs.name && t.region === rule.region))
    .map((rule) => `${rule.name}: no target`);
  return [
    ...untargeted,
    ...targets.flatMap((t) => {
      const rule = rules.find((r) => r.outputs.name === t.inputs.rule && r.region === t.region);
      if (!rule) return [`${t.name}: its rule ${t.inputs.rule} is not in ${t.region}`];
      const destination = graph.byArn(t.inputs.arn);
      if (!destination) return [`${t.name}: targets ${t.inputs.arn}, which the stack does not create`];
      if (destination.region !== t.region) return [`${t.name}: in ${t.region}, targets ${destination.region}`];
      const handlers =
        destination.type === types.lambda
          ? [String(destination.inputs.handler)]
          : readersOf(graph, destination.outputs.arn).map((fn) => String(fn.inputs.handler));
      const expected = `functions/${handlerFor(rule)}.handler`;
      return handlers.includes(expected)
        ? []
        : [
            `${t.name}: ${rule.name} → ${destination.outputs.name}, read by ${handlers.join(", ") || "no function"}; expected ${expected}`,
          ];
    }),
  ];
}

/** "(visibility 900 s, redrive after 10 receives)" in docs/deploy.md's table of what the deploy creates. */
export function documentedInterruptionQueue(): { visibilitySeconds: number; maxReceiveCount: number } {
  const guide = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "deploy.md"), "utf8");
  const [, visibility, receives] =
    /`InterruptionQueue` \(visibility (\d+) s, redrive after (\d+) receives\)/.exec(guide) ?? [];
  return { visibilitySeconds: Number(visibility), maxReceiveCount: Number(receives) };
}

/** Lambda's poller receives and deletes with the function's role; CreateEventSourceMapping checks it may. */
export const pollerActions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

export function mappingFindings(graph: StackGraph): string[] {
  const documented = documentedInterruptionQueue();
  return graph.of(types.mapping).flatMap((m) => {
    const queue = graph.byArn(m.inputs.eventSourceArn);
    const fn = graph.byArn(m.inputs.functionName);
    if (!queue || !fn)
      return [`${m.name}: reads ${m.inputs.eventSourceArn} into ${m.inputs.functionName}, not both in the stack`];
    const found: string[] = [];
    if (!(m.inputs.functionResponseTypes as string[] | undefined)?.includes("ReportBatchItemFailures"))
      found.push(`${m.name}: partial batch responses are off`);
    if (!allows(roleStatements(graph, fn.inputs.role), pollerActions, String(queue.outputs.arn)))
      found.push(`${label(fn)}: its role may not ${pollerActions.join(", ")} on ${queue.outputs.name}`);
    if (draining.includes(String(fn.inputs.handler))) {
      if (redrive(queue)?.maxReceiveCount !== documented.maxReceiveCount)
        found.push(
          `${queue.name}: maxReceiveCount ${redrive(queue)?.maxReceiveCount}, documented ${documented.maxReceiveCount}`,
        );
      if (queue.inputs.visibilityTimeoutSeconds !== documented.visibilitySeconds)
        found.push(
          `${queue.name}: visibility ${queue.inputs.visibilityTimeoutSeconds} s, documented ${documented.visibilitySeconds} s`,
        );
    }
    return found;
  });
}

export function alarmFindings(graph: StackGraph): string[] {
  const alarms = graph.of(types.alarm);
  const watching = (namespace: string, metric: string, dimension: string, value: unknown, region: string) =>
    alarms.some(
      (a) =>
        a.inputs.namespace === namespace &&
        a.inputs.metricName === metric &&
        (a.inputs.dimensions as Record<string, unknown> | undefined)?.[dimension] === value &&
        a.region === region,
    );
  return [
    ...deadLetterQueues(graph)
      .filter((q) => !watching("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.outputs.name, q.region))
      .map((q) => `${label(q)}: no depth alarm in ${q.region}`),
    ...graph
      .of(types.lambda)
      .filter((fn) => !watching("AWS/Lambda", "Errors", "FunctionName", fn.outputs.name, fn.region))
      .map((fn) => `${label(fn)}: no Errors alarm in ${fn.region}`),
  ];
}
