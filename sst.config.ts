/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    return {
      name: "harbormaster",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
    };
  },
  async run() {
    // One typed config (docs/config.md), validated here with the schemas the functions use at cold start.
    const { loadDeployConfig } = await import("./stacks/config.ts");
    const { featureEnvironment, primaryCluster } = await import("./stacks/config-schema.ts");
    const config = loadDeployConfig(process.env, $app.stage);
    const primary = primaryCluster(config);
    const { placeKubernetesFunctions } = await import("./stacks/network.ts");
    const { reserveConcurrency } = await import("./stacks/concurrency.ts");
    // Transforms apply to functions created after them: before any feature stack.
    placeKubernetesFunctions(primary);
    reserveConcurrency();

    const { prescaling, prescalingQueues } = await import("./stacks/prescaling.ts");
    // Pre-scaling's queue comes first: the Slack worker sends `scale` and `headroom` to it.
    const scalingQueues = config.scaling.length > 0 ? prescalingQueues() : undefined;
    const [primaryName = ""] = Object.keys(config.clusters);
    const { slack } = await import("./stacks/slack.ts");
    // Slack is deployed once a default channel is configured (see docs/slack.md).
    const slackEnv = featureEnvironment(config).slack;
    const chat =
      config.slack && slackEnv
        ? slack({
            defaultChannel: config.slack.defaultChannel,
            access: slackEnv.HARBORMASTER_SLACK_ACCESS,
            clusters: slackEnv.HARBORMASTER_SLACK_CLUSTERS,
            routes: slackEnv.HARBORMASTER_SLACK_ROUTES,
            slashCommand: config.slack.slashCommand,
            trafficBus: config.rollouts.length > 0 ? "default" : undefined,
            prescalingQueues: scalingQueues
              ? [{ cluster: primaryName, url: scalingQueues.queue.url, arn: scalingQueues.queue.arn }]
              : undefined,
          })
        : undefined;
    // The feature functions queue their notifications for Slack once it is deployed.
    const notifications = chat ? { url: chat.queue.url, arn: chat.queue.arn } : undefined;

    const { interruptions } = await import("./stacks/interruptions.ts");
    const interruption = interruptions({
      clusterName: primary.eksCluster,
      region: primary.region,
      autoScalingGroups: primary.autoScalingGroups,
      actions: JSON.stringify(config.actions),
      drainPolicy: JSON.stringify(config.drainPolicy),
      dryRun: config.dryRun,
      notifications,
    });
    const { traffic } = await import("./stacks/traffic.ts");
    // Traffic shifting is deployed once rollouts are configured (see docs/traffic.md).
    const shifting =
      config.rollouts.length > 0 ? traffic({ domains: JSON.stringify(config.rollouts), notifications }) : undefined;
    // Pre-scaling is deployed once policies are configured (see docs/prescaling.md).
    const prescaler =
      config.scaling.length > 0
        ? prescaling({
            clusterName: primary.eksCluster,
            region: primary.region,
            policies: JSON.stringify(config.scaling),
            commandNamespaces: featureEnvironment(config).prescaling.HARBORMASTER_PRESCALING_COMMAND_NAMESPACES,
            notifications,
            queues: scalingQueues,
          })
        : undefined;

    // The functions that call the Kubernetes API join the group the k8s/ RBAC binds.
    const { eksAccess } = await import("./stacks/eks-access.ts");
    if (primary.manageAccess) {
      eksAccess(primary.eksCluster, {
        Interruption: interruption.handler.nodes.role.arn,
        ...(prescaler ? { Prescaling: prescaler.handler.nodes.role.arn } : {}),
        ...(chat ? { SlackWorker: chat.worker.nodes.role.arn } : {}),
      });
    }
    const { alarms } = await import("./stacks/alarms.ts");
    alarms({
      topicArn: config.alarmTopicArn,
      functions: {
        Interruption: interruption.handler,
        ...(prescaler ? { Prescaling: prescaler.handler } : {}),
        ...(shifting ? { Traffic: shifting.handler, DeployNotify: shifting.webhook } : {}),
        ...(chat ? { SlackCommand: chat.command, SlackWorker: chat.worker } : {}),
      },
      dlqs: {
        Interruption: interruption.dlq,
        ...(prescaler ? { Prescaling: prescaler.dlq } : {}),
        ...(chat ? { Slack: chat.dlq } : {}),
      },
    });
    return {
      ...(prescaler ? { prescalingQueueUrl: prescaler.queue.url, prescalingScheduleGroup: prescaler.group.name } : {}),
      ...(chat ? { slackCommandUrl: chat.command.url, slackQueueUrl: chat.queue.url } : {}),
      ...(shifting ? { deployWebhookUrl: shifting.webhook.url, trafficScheduleGroup: shifting.group.name } : {}),
      interruptionQueueUrl: interruption.queue.url,
      interruptionDlqUrl: interruption.dlq.url,
      interruptionFunction: interruption.handler.name,
      interruptionRoleArn: interruption.handler.nodes.role.arn,
      stage: $app.stage,
    };
  },
});
