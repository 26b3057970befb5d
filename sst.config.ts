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
    const { featureEnvironment } = await import("./stacks/feature-environment.ts");
    const config = loadDeployConfig(process.env, $app.stage);
    const env = featureEnvironment(config);
    // The default provider's region; clusters elsewhere get a provider of their region (stacks/regions.ts).
    const homeRegion = (await aws.getRegion({})).region;
    const { regionProviders } = await import("./stacks/regions.ts");
    const regionOptions = regionProviders(homeRegion);

    const { prescalingQueues } = await import("./stacks/prescaling.ts");
    // Pre-scaling's queues come first: the Slack worker sends `scale` and `headroom` to them.
    const scalingQueues = new Map(
      env.groups.flatMap((g) =>
        g.prescaling ? [[g.group.key, prescalingQueues(g.group, regionOptions(g.group.region))] as const] : [],
      ),
    );
    const { slack } = await import("./stacks/slack.ts");
    const { slackWorkerVpc } = await import("./stacks/network.ts");
    // Slack is deployed once a default channel is configured (see docs/slack.md).
    const chat =
      config.slack && env.slack
        ? slack({
            defaultChannel: config.slack.defaultChannel,
            access: env.slack.HARBORMASTER_SLACK_ACCESS,
            clusters: env.slack.HARBORMASTER_SLACK_CLUSTERS,
            routes: env.slack.HARBORMASTER_SLACK_ROUTES,
            slashCommand: config.slack.slashCommand,
            trafficBus: config.rollouts.length > 0 ? "default" : undefined,
            upgrades: env.slack.HARBORMASTER_SLACK_UPGRADES,
            workerVpc: slackWorkerVpc(config.clusters, config.slack.vpc, homeRegion),
            // Every cluster to its group's queue; the message names the cluster.
            prescalingQueues: env.groups.flatMap(({ group }) => {
              const queues = scalingQueues.get(group.key);
              return queues
                ? group.clusters.map((cluster) => ({ cluster, url: queues.queue.url, arn: queues.queue.arn }))
                : [];
            }),
          })
        : undefined;
    // The feature functions queue their notifications for Slack once it is deployed.
    const notifications = chat ? { url: chat.queue.url, arn: chat.queue.arn } : undefined;

    const { traffic } = await import("./stacks/traffic.ts");
    const { trafficVpc } = await import("./stacks/network.ts");
    const { HARBORMASTER_UPGRADES, HARBORMASTER_CLUSTERS } = env.traffic;
    // Traffic shifting is deployed once rollouts are configured (see docs/traffic.md); it runs the upgrades too,
    // so it comes before the cluster stacks, which give its role access to the clusters upgrades name.
    const shifting =
      config.rollouts.length > 0
        ? traffic({
            domains: env.traffic.HARBORMASTER_TRAFFIC_DOMAINS,
            notifications,
            upgrades:
              HARBORMASTER_UPGRADES && HARBORMASTER_CLUSTERS
                ? {
                    environment: { HARBORMASTER_UPGRADES, HARBORMASTER_CLUSTERS },
                    clusters: env.upgrades.clusters.flatMap((name) => config.clusters[name] ?? []),
                    alarms: env.upgrades.alarms,
                    vpc: trafficVpc(config.clusters, env.upgrades.clusters, homeRegion),
                  }
                : undefined,
          })
        : undefined;

    const { clusterStacks } = await import("./stacks/cluster-stacks.ts");
    const groups = clusterStacks({
      config,
      env,
      regionOptions,
      scalingQueues,
      notifications,
      slackWorkerRole: chat?.worker.nodes.role.arn,
      trafficRole: shifting?.handler.nodes.role.arn,
    });

    const { alarms } = await import("./stacks/alarms.ts");
    const { clusterOutputs, groupAlarmTargets } = await import("./stacks/cluster-outputs.ts");
    // Each region's alarms beside its functions and queues; the home region's also cover traffic and Slack.
    for (const region of new Set([homeRegion, ...env.regions.map((r) => r.region)])) {
      const home = region === homeRegion;
      const targets = groupAlarmTargets(groups, region);
      alarms({
        region,
        topicArns: config.alarmTopicArn,
        opts: regionOptions(region),
        functions: {
          ...targets.functions,
          ...(home && shifting ? { Traffic: shifting.handler, DeployNotify: shifting.webhook } : {}),
          ...(home && chat ? { SlackCommand: chat.command, SlackWorker: chat.worker } : {}),
        },
        dlqs: { ...targets.dlqs, ...(home && chat ? { Slack: chat.dlq } : {}) },
      });
    }

    return {
      ...clusterOutputs(groups),
      ...(chat
        ? {
            slackCommandUrl: chat.command.url,
            slackQueueUrl: chat.queue.url,
            slackWorkerRoleArn: chat.worker.nodes.role.arn,
          }
        : {}),
      ...(shifting ? { deployWebhookUrl: shifting.webhook.url, trafficScheduleGroup: shifting.group.name } : {}),
      // For clusters with `manageAccess: false`: the role to give an access entry in each upgraded cluster.
      ...(shifting && config.upgrades.length > 0 ? { trafficRoleArn: shifting.handler.nodes.role.arn } : {}),
      stage: $app.stage,
    };
  },
});
