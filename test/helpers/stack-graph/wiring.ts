// Relations read off a stack graph: which function reads which queue, a queue's dead-letter queue, a
// function's environment and IAM statements. Only recorded inputs and mock-assigned outputs are used.
import type { Resource, StackGraph } from "./graph.ts";

export const types = {
  queue: "aws:sqs/queue:Queue",
  lambda: "aws:lambda/function:Function",
  mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  accessEntry: "aws:eks/accessEntry:AccessEntry",
  accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
} as const;

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

export const list = (value: string | string[] | undefined) => [value ?? []].flat();

export function environment(fn: Resource): Record<string, string> {
  return ((fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}) as Record<
    string,
    string
  >;
}

/** The functions an event-source mapping feeds from this queue. */
export function readersOf(graph: StackGraph, queueArn: unknown): Resource[] {
  return graph
    .of(types.mapping)
    .filter((m) => m.inputs.eventSourceArn === queueArn)
    .flatMap((m) => graph.byArn(m.inputs.functionName) ?? []);
}

/** The queues a function reads, through its event-source mappings. */
export function queuesReadBy(graph: StackGraph, fn: Resource): Resource[] {
  return graph
    .of(types.mapping)
    .filter((m) => m.inputs.functionName === fn.outputs.arn)
    .flatMap((m) => graph.byArn(m.inputs.eventSourceArn) ?? []);
}

export function redrive(queue: Resource): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  return typeof queue.inputs.redrivePolicy === "string" ? JSON.parse(queue.inputs.redrivePolicy) : undefined;
}

/** Queues that are some queue's dead-letter target. */
export function deadLetterQueues(graph: StackGraph): Resource[] {
  const targets = new Set(graph.of(types.queue).map((q) => redrive(q)?.deadLetterTargetArn));
  return graph.of(types.queue).filter((q) => targets.has(String(q.outputs.arn)));
}

/** Every statement of a role's inline policies and of the role policies attached to it. */
export function roleStatements(graph: StackGraph, roleArn: unknown): Statement[] {
  const role = graph.byArn(roleArn);
  if (!role) return [];
  const inline = (role.inputs.inlinePolicies ?? []) as { policy: string }[];
  const attached = graph.of(types.rolePolicy).filter((p) => p.inputs.role === role.outputs.id);
  return [...inline.map((p) => p.policy), ...attached.map((p) => String(p.inputs.policy))].flatMap(
    (policy) => (JSON.parse(policy) as { Statement: Statement[] }).Statement,
  );
}

/** Whether a role's statements allow every one of these actions on this resource (exact ARN or `*`). */
export function allows(statements: readonly Statement[], actions: readonly string[], resource: string): boolean {
  return actions.every((action) =>
    statements.some(
      (s) =>
        s.Effect === "Allow" &&
        list(s.Action).includes(action) &&
        list(s.Resource).some((r) => r === resource || r === "*"),
    ),
  );
}
