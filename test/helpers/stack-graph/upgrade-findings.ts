// What a config's upgrades call for in a stack graph: the traffic function runs them, so it gets them and
// the clusters they name (in its environment, its IAM, its VPC and their access entries), the upgrade rule
// and both sides' alarms; the Slack command function gets their names. Expectations come from the config.
import { parseClusters } from "../../../functions/config/clusters.ts";
import { loadSlackCommandConfig } from "../../../functions/config/slack-config.ts";
import type { HarbormasterConfig } from "../../../stacks/config-schema.ts";
import { arns } from "../../../stacks/iam.ts";
import { trafficFunction, upgradeSides } from "./cluster-findings.ts";
import { lambdaEnv } from "./findings.ts";
import type { StackGraph } from "./graph.ts";
import { allows, environment, roleStatements, types } from "./wiring.ts";

const patternOf = (graph: StackGraph, source: string) =>
  graph
    .of(types.rule)
    .map((r) => ({ rule: r, pattern: JSON.parse(String(r.inputs.eventPattern)) as Record<string, unknown> }))
    .filter(({ pattern }) => (pattern.source as string[] | undefined)?.includes(source));

export function upgradeFindings(graph: StackGraph, config: HarbormasterConfig): string[] {
  const fn = trafficFunction(graph);
  const env = fn ? environment(fn) : {};
  const upgradeRules = patternOf(graph, "harbormaster.upgrade");
  const command = graph.of(types.lambda).find((f) => f.inputs.handler === "functions/slack-command.handler");
  if (config.upgrades.length === 0) {
    return [
      ...(env.HARBORMASTER_UPGRADES ? ["traffic function: HARBORMASTER_UPGRADES without upgrades"] : []),
      ...upgradeRules.map(({ rule }) => `${rule.name}: an upgrade rule without upgrades`),
      ...(command && environment(command).HARBORMASTER_SLACK_UPGRADES ? ["SlackCommand: upgrades without any"] : []),
    ];
  }
  if (!fn) return ["upgrades are configured, and no traffic function runs them"];
  const found: string[] = [];
  if (JSON.stringify(JSON.parse(env.HARBORMASTER_UPGRADES ?? "null")) !== JSON.stringify(config.upgrades))
    found.push(`traffic function: HARBORMASTER_UPGRADES is ${env.HARBORMASTER_UPGRADES}, not the config's upgrades`);

  const sides = upgradeSides(config);
  const wanted = [...new Set(sides.map((s) => s.cluster))].sort();
  const defaults = { region: fn.region, actions: {}, drainPolicy: {} };
  const served = parseClusters(lambdaEnv(fn), defaults);
  if (
    served
      .map((c) => c.name)
      .sort()
      .join() !== wanted.join()
  )
    found.push(
      `traffic function: serves ${served.map((c) => c.name).join(", ")}, the upgrades name ${wanted.join(", ")}`,
    );
  const statements = roleStatements(graph, fn.inputs.role);
  for (const name of wanted) {
    const cluster = config.clusters[name];
    const target = served.find((c) => c.name === name);
    if (cluster && (target?.eksCluster !== cluster.eksCluster || target.region !== cluster.region))
      found.push(
        `traffic function: ${name} is ${target?.eksCluster}@${target?.region}, not ${cluster.eksCluster}@${cluster.region}`,
      );
    if (cluster && !allows(statements, ["eks:DescribeCluster"], arns.eksCluster(cluster)))
      found.push(`traffic function: may not DescribeCluster ${cluster.eksCluster}`);
  }
  const vpcs = wanted.flatMap((n) => config.clusters[n]?.vpc ?? []);
  const subnets = (fn.inputs.vpcConfig as { subnetIds?: string[] } | undefined)?.subnetIds;
  if (JSON.stringify(subnets) !== JSON.stringify(vpcs[0]?.privateSubnets))
    found.push(`traffic function: subnets ${subnets}, the upgraded clusters' are ${vpcs[0]?.privateSubnets}`);

  if (upgradeRules.length !== 1) found.push(`${upgradeRules.length} upgrade rules, expected one`);
  for (const { rule, pattern } of upgradeRules)
    if (JSON.stringify(pattern["detail-type"]) !== JSON.stringify(["Cluster Upgrade"]))
      found.push(`${rule.name}: detail-type ${JSON.stringify(pattern["detail-type"])}`);
  const alarmRule = patternOf(graph, "aws.cloudwatch")[0];
  const watched = ((alarmRule?.pattern.detail as { alarmName?: string[] } | undefined)?.alarmName ?? []).sort();
  for (const alarm of sides.flatMap((s) => s.alarms ?? []))
    if (!watched.includes(alarm)) found.push(`the traffic alarm rule does not watch ${alarm}`);

  if (config.slack) {
    const upgrades = command ? loadSlackCommandConfig(lambdaEnv(command)).upgrades : {};
    const names = (config.upgrades as { name: string }[]).map((u) => u.name).sort();
    if (Object.keys(upgrades).sort().join() !== names.join())
      found.push(`SlackCommand: knows upgrades ${Object.keys(upgrades).join(", ")}, the config ${names.join(", ")}`);
  }
  return found;
}
