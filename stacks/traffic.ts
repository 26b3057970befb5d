import { loadTrafficConfig } from "../functions/config/traffic-config.ts";
import type { VpcPlacement } from "./cluster-groups.ts";
import { functionDefaults } from "./function-defaults.ts";
import { deployNotifyPermissions, trafficPermissions, upgradePermissions } from "./iam.ts";
import { functionVpc } from "./network.ts";
import { type NotificationQueue, notificationEnvironment, notificationPermissions } from "./notifications.ts";
import { trafficEventPatterns, upgradeEventPattern } from "./traffic-patterns.ts";

export interface TrafficStackArgs {
  /** JSON list of domains (see docs/traffic.md); validated here too, so a bad one fails the deploy. */
  domains: string;
  /** The Slack stack's queue, when Slack is deployed. */
  notifications?: NotificationQueue;
  /**
   * With upgrades (featureEnvironment): HARBORMASTER_UPGRADES and HARBORMASTER_CLUSTERS, the clusters they
   * name (for EKS access and IAM), both sides' alarms and the VPC from which their APIs are reached.
   */
  upgrades?: {
    environment: { HARBORMASTER_UPGRADES: string; HARBORMASTER_CLUSTERS: string };
    clusters: readonly { eksCluster: string; region: string }[];
    alarms: readonly string[];
    vpc?: VpcPlacement;
  };
}

const scheduleGroupName = "harbormaster-traffic";

// One function moves the weights; a second, behind a Function URL, turns webhooks into deploy events.
export function traffic(args: TrafficStackArgs) {
  const config = loadTrafficConfig({
    AWS_REGION: "us-east-1",
    HARBORMASTER_TRAFFIC_DOMAINS: args.domains,
    HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/validation-only",
  });
  // An upgrade's alarms gate its steps and roll it back on ALARM, as a domain's do for a rollout.
  const alarmNames = [...new Set([...config.domains.flatMap((d) => d.alarms), ...(args.upgrades?.alarms ?? [])])];
  const zones = [...new Set(config.domains.map((d) => d.hostedZoneId))];

  const group = new aws.scheduler.ScheduleGroup("TrafficSchedules", { name: `${scheduleGroupName}-${$app.stage}` });
  const schedulerRole = new aws.iam.Role("TrafficSchedulerRole", {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });

  const handler = new sst.aws.Function("TrafficHandler", {
    handler: "functions/traffic.handler",
    ...functionDefaults,
    // With upgrades it calls the upgraded clusters' Kubernetes APIs: from their VPC for private endpoints.
    vpc: functionVpc(args.upgrades?.vpc),
    // Long enough to wait out two changes going INSYNC (HARBORMASTER_TRAFFIC_CHANGE_TIMEOUT_SECONDS each): an
    // upgrade's rollback and its settle, or its release, can write twice in one invocation.
    timeout: "5 minutes",
    memory: "256 MB",
    environment: {
      HARBORMASTER_TRAFFIC_DOMAINS: args.domains,
      ...args.upgrades?.environment,
      HARBORMASTER_TRAFFIC_SCHEDULE_GROUP: group.name,
      HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: schedulerRole.arn,
      POWERTOOLS_SERVICE_NAME: "harbormaster-traffic",
      ...notificationEnvironment(args.notifications),
    },
    permissions: [
      ...notificationPermissions(args.notifications),
      ...trafficPermissions({
        region: "*",
        hostedZoneIds: zones,
        alarmNames,
        schedulesInGroup: $interpolate`arn:aws:scheduler:*:*:schedule/${group.name}/*`,
        schedulerRoleArn: schedulerRole.arn,
      }),
      ...(args.upgrades ? upgradePermissions({ clusters: args.upgrades.clusters }) : []),
    ],
  });
  new aws.iam.RolePolicy("TrafficSchedulerInvoke", {
    role: schedulerRole.id,
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: handler.arn }],
    }),
  });

  const patterns = {
    ...trafficEventPatterns(alarmNames),
    // Slack, scripts and CI start and steer upgrades with this custom event; only with upgrades configured.
    ...(args.upgrades ? { upgrade: upgradeEventPattern } : {}),
  };
  for (const [name, pattern] of Object.entries(patterns)) {
    if (name === "alarmStateChange" && alarmNames.length === 0) continue;
    const id = `Traffic${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    const rule = new aws.cloudwatch.EventRule(`${id}Rule`, { eventPattern: JSON.stringify(pattern) });
    new aws.cloudwatch.EventTarget(`${id}Target`, {
      rule: rule.name,
      arn: handler.arn,
      retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
    });
    new aws.lambda.Permission(`${id}Invoke`, {
      action: "lambda:InvokeFunction",
      function: handler.name,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
  }

  const githubSecret = new sst.Secret("GithubWebhookSecret", "unset-github-webhook-secret");
  const argocdToken = new sst.Secret("ArgocdWebhookToken", "unset-argocd-webhook-token");
  const webhook = new sst.aws.Function("DeployWebhook", {
    handler: "functions/deploy-webhook.handler",
    ...functionDefaults,
    timeout: "10 seconds",
    memory: "256 MB",
    url: true,
    environment: {
      HARBORMASTER_EVENT_BUS_NAME: "default",
      HARBORMASTER_GITHUB_WEBHOOK_SECRET: githubSecret.value,
      HARBORMASTER_ARGOCD_WEBHOOK_TOKEN: argocdToken.value,
      POWERTOOLS_SERVICE_NAME: "harbormaster-deploy-webhook",
    },
    permissions: deployNotifyPermissions({ region: "*", bus: "default" }),
  });

  return { handler, webhook, group };
}
