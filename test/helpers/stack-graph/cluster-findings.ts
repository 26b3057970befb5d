// Per-cluster expectations on a stack graph: the functions serving each cluster group, the EKS access
// entries of every configured cluster, IAM scoped to the graph and the configured clusters, the outputs.
import { planRegions } from "../../../stacks/cluster-groups.ts";
import type { HarbormasterConfig } from "../../../stacks/config-schema.ts";
import { arns, unscopableActions } from "../../../stacks/iam.ts";
import { accessPolicyArn } from "../../../stacks/settings.ts";
import type { Resource, StackGraph } from "./graph.ts";
import { environment, list, queuesReadBy, redrive, roleStatements, types } from "./wiring.ts";

/** The function of this handler whose HARBORMASTER_CLUSTERS names exactly these clusters. */
export function groupFunction(graph: StackGraph, handler: string, clusters: readonly string[]): Resource | undefined {
  return graph
    .of(types.lambda)
    .find(
      (fn) =>
        fn.inputs.handler === `functions/${handler}.handler` &&
        Object.keys(JSON.parse(environment(fn).HARBORMASTER_CLUSTERS ?? "{}")).join() === clusters.join(),
    );
}

const slackWorker = (graph: StackGraph) =>
  graph.of(types.lambda).find((fn) => fn.inputs.handler === "functions/slack-worker.handler");

export const trafficFunction = (graph: StackGraph) =>
  graph.of(types.lambda).find((fn) => fn.inputs.handler === "functions/traffic.handler");

type UpgradeSide = { cluster: string; alarms?: string[] };
/** The sides of every configured upgrade, read from the config as written. */
export const upgradeSides = (config: HarbormasterConfig) =>
  (config.upgrades as { blue: UpgradeSide; green: UpgradeSide }[]).flatMap((u) => [u.blue, u.green]);

/** `<eksCluster>@<region> ← <role ARN>` for every access entry the config calls for. */
export function expectedAccess(graph: StackGraph, config: HarbormasterConfig): string[] {
  return planRegions(config.clusters).flatMap(({ groups }) =>
    groups.flatMap((group) => {
      const roles = [
        groupFunction(graph, "interruptions", group.clusters)?.inputs.role ??
          `no interruption function for ${group.key}`,
        groupFunction(graph, "drains", group.clusters)?.inputs.role ?? `no drain function for ${group.key}`,
        ...(config.scaling.length > 0
          ? [
              groupFunction(graph, "prescaling", group.clusters)?.inputs.role ??
                `no pre-scaling function for ${group.key}`,
            ]
          : []),
        ...(config.slack ? [slackWorker(graph)?.inputs.role ?? "no Slack worker"] : []),
      ];
      // The traffic function runs upgrades: it reaches the clusters they name, and only those.
      const upgraded = new Set(upgradeSides(config).map((side) => side.cluster));
      return group.clusters.flatMap((name) => {
        const cluster = config.clusters[name];
        if (!cluster?.manageAccess) return [];
        const traffic = upgraded.has(name) ? [trafficFunction(graph)?.inputs.role ?? "no traffic function"] : [];
        return [...roles, ...traffic].map((role) => `${cluster.eksCluster}@${cluster.region} ← ${role}`);
      });
    }),
  );
}

export function accessEntries(graph: StackGraph): string[] {
  return graph.of(types.accessEntry).map((e) => `${e.inputs.clusterName}@${e.region} ← ${e.inputs.principalArn}`);
}

export function accessPolicies(graph: StackGraph): string[] {
  return graph
    .of(types.accessPolicy)
    .filter(
      (a) => a.inputs.policyArn === accessPolicyArn && (a.inputs.accessScope as { type?: string })?.type === "cluster",
    )
    .map((a) => `${a.inputs.clusterName}@${a.region} ← ${a.inputs.principalArn}`);
}

/** ARNs outside the graph that a policy may name: what the config names (clusters, ASGs, alarms, zones). */
function configuredArns(config: HarbormasterConfig): Set<string> {
  const regions = ["*", ...new Set(Object.values(config.clusters).map((c) => c.region))];
  const alarmNames = [...config.scaling, ...config.rollouts, ...upgradeSides(config)].flatMap(
    (p) => (p as { alarms?: string[] }).alarms ?? [],
  );
  return new Set([
    ...Object.values(config.clusters).flatMap((c) => [
      arns.eksCluster(c),
      // No ASGs listed: every group of the region, as docs/deploy.md says.
      ...(c.autoScalingGroups.length > 0 ? c.autoScalingGroups : ["*"]).map((g) => arns.autoScalingGroup(c.region, g)),
    ]),
    ...regions.flatMap((r) => alarmNames.map((a) => arns.alarm(r, a))),
    ...config.rollouts.map((r) => arns.hostedZone((r as { hostedZoneId: string }).hostedZoneId)),
    "arn:aws:route53:::change/*",
    arns.bus("*", "default"),
  ]);
}

export function iamFindings(graph: StackGraph, config: HarbormasterConfig): string[] {
  const inGraph = new Set(graph.resources.flatMap((r) => (r.custom && r.outputs.arn ? [String(r.outputs.arn)] : [])));
  // Schedules are created by the function at run time, inside a schedule group of the graph.
  const scheduleGroups = graph.of("aws:scheduler/scheduleGroup:ScheduleGroup").map((g) => String(g.outputs.name));
  const allowed = configuredArns(config);
  const unscopable: readonly string[] = unscopableActions;
  return graph.of(types.role).flatMap((role) =>
    roleStatements(graph, role.outputs.arn).flatMap((s) =>
      list(s.Resource).flatMap((resource) => {
        if (resource === "*")
          return list(s.Action).every((a) => unscopable.includes(a))
            ? []
            : [`${role.name}: ${list(s.Action).join(", ")} on *`];
        const scheduled = scheduleGroups.some((g) => resource === `arn:aws:scheduler:*:*:schedule/${g}/*`);
        return inGraph.has(resource) || allowed.has(resource) || scheduled
          ? []
          : [`${role.name}: ${resource} is neither in the graph nor configured`];
      }),
    ),
  );
}

/** The outputs docs/deploy.md lists ("The outputs are printed at the end"), with the graph's values. */
export function expectedOutputs(graph: StackGraph, config: HarbormasterConfig, stage: string) {
  const groups = planRegions(config.clusters).flatMap((r) => r.groups);
  const scaling = config.scaling.length > 0;
  const perGroup = groups.map((group) => {
    const fn = groupFunction(graph, "interruptions", group.clusters);
    const queue = fn && queuesReadBy(graph, fn)[0];
    const dlq = queue && graph.byArn(redrive(queue)?.deadLetterTargetArn);
    const prescaler = scaling ? groupFunction(graph, "prescaling", group.clusters) : undefined;
    const prescalingQueue = prescaler && queuesReadBy(graph, prescaler)[0];
    return {
      key: group.key,
      outputs: {
        clusters: group.clusters,
        interruptionQueueUrl: queue?.outputs.url,
        interruptionDlqUrl: dlq?.outputs.url,
        interruptionFunction: fn?.outputs.name,
        interruptionRoleArn: fn?.inputs.role,
        ...(scaling
          ? { prescalingQueueUrl: prescalingQueue?.outputs.url, prescalingRoleArn: prescaler?.inputs.role }
          : {}),
      },
    };
  });
  const [only] = perGroup.length === 1 ? perGroup : [];
  const worker = slackWorker(graph);
  const command = graph.of(types.lambda).find((fn) => fn.inputs.handler === "functions/slack-command.handler");
  const url = (fn: Resource | undefined) =>
    graph.of("aws:lambda/functionUrl:FunctionUrl").find((u) => u.inputs.functionName === fn?.outputs.name)?.outputs
      .functionUrl;
  const scheduleGroup = (prefix: string) =>
    graph.of("aws:scheduler/scheduleGroup:ScheduleGroup").find((g) => g.name.startsWith(prefix))?.outputs.name;
  const webhook = graph.of(types.lambda).find((fn) => fn.inputs.handler === "functions/deploy-webhook.handler");
  return {
    clusterGroups: Object.fromEntries(perGroup.map((g) => [g.key, g.outputs])),
    ...(only && {
      interruptionQueueUrl: only.outputs.interruptionQueueUrl,
      interruptionDlqUrl: only.outputs.interruptionDlqUrl,
      interruptionFunction: only.outputs.interruptionFunction,
      interruptionRoleArn: only.outputs.interruptionRoleArn,
      ...(scaling
        ? { prescalingQueueUrl: only.outputs.prescalingQueueUrl, prescalingScheduleGroup: scheduleGroup("Prescaling") }
        : {}),
    }),
    ...(config.slack
      ? {
          slackCommandUrl: url(command),
          slackQueueUrl: worker && queuesReadBy(graph, worker)[0]?.outputs.url,
          slackWorkerRoleArn: worker?.inputs.role,
        }
      : {}),
    ...(config.rollouts.length > 0
      ? { deployWebhookUrl: url(webhook), trafficScheduleGroup: scheduleGroup("Traffic") }
      : {}),
    ...(config.upgrades.length > 0 ? { trafficRoleArn: trafficFunction(graph)?.inputs.role } : {}),
    stage,
  };
}
