// What the cluster stacks contribute to alarms and outputs, grouped as the callers need it.
import type { clusterStacks } from "./cluster-stacks.ts";

type ClusterStack = ReturnType<typeof clusterStacks>[number];

/** The functions and DLQs of a region's groups, named `Interruption<id>` and `Prescaling<id>` for alarms. */
export function groupAlarmTargets(groups: readonly ClusterStack[], region: string) {
  const here = groups.filter((g) => g.group.region === region);
  return {
    functions: Object.fromEntries(
      here.flatMap((g) => [
        [`Interruption${g.group.id}`, g.interruption.handler] as const,
        [`Drain${g.group.id}`, g.interruption.drainer] as const,
        ...(g.prescaler ? [[`Prescaling${g.group.id}`, g.prescaler.handler] as const] : []),
      ]),
    ),
    dlqs: Object.fromEntries(
      here.flatMap((g) => [
        [`Interruption${g.group.id}`, g.interruption.dlq] as const,
        ...(g.prescaler ? [[`Prescaling${g.group.id}`, g.prescaler.dlq] as const] : []),
      ]),
    ),
  };
}

/** Per group key, what serves which clusters; with a single group, also the outputs of earlier releases. */
export function clusterOutputs(groups: readonly ClusterStack[]) {
  const [only] = groups.length === 1 ? groups : [];
  return {
    clusterGroups: Object.fromEntries(
      groups.map((g) => [
        g.group.key,
        {
          clusters: g.group.clusters,
          interruptionQueueUrl: g.interruption.queue.url,
          interruptionDlqUrl: g.interruption.dlq.url,
          interruptionFunction: g.interruption.handler.name,
          interruptionRoleArn: g.interruption.handler.nodes.role.arn,
          ...(g.prescaler
            ? { prescalingQueueUrl: g.prescaler.queue.url, prescalingRoleArn: g.prescaler.handler.nodes.role.arn }
            : {}),
        },
      ]),
    ),
    ...(only && {
      interruptionQueueUrl: only.interruption.queue.url,
      interruptionDlqUrl: only.interruption.dlq.url,
      interruptionFunction: only.interruption.handler.name,
      interruptionRoleArn: only.interruption.handler.nodes.role.arn,
      ...(only.prescaler
        ? { prescalingQueueUrl: only.prescaler.queue.url, prescalingScheduleGroup: only.prescaler.group.name }
        : {}),
    }),
  };
}
