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
    const { interruptions } = await import("./stacks/interruptions.ts");
    const interruption = interruptions({
      clusterName: process.env.HARBORMASTER_CLUSTER_NAME ?? `harbormaster-${$app.stage}`,
      actions: process.env.HARBORMASTER_ACTIONS,
      drainPolicy: process.env.HARBORMASTER_DRAIN_POLICY,
      dryRun: process.env.HARBORMASTER_DRY_RUN === "true",
    });
    const { traffic } = await import("./stacks/traffic.ts");
    // Traffic shifting is deployed once domains are configured (see docs/traffic.md).
    const trafficDomains = process.env.HARBORMASTER_TRAFFIC_DOMAINS;
    const shifting = trafficDomains ? traffic({ domains: trafficDomains }) : undefined;
    const { slack } = await import("./stacks/slack.ts");
    // Slack is deployed once a default channel is configured (see docs/slack.md).
    const slackChannel = process.env.HARBORMASTER_SLACK_DEFAULT_CHANNEL;
    const chat = slackChannel
      ? slack({
          defaultChannel: slackChannel,
          access: process.env.HARBORMASTER_SLACK_ACCESS ?? "[]",
          clusters: process.env.HARBORMASTER_SLACK_CLUSTERS ?? "{}",
          routes: process.env.HARBORMASTER_SLACK_ROUTES,
          slashCommand: process.env.HARBORMASTER_SLACK_COMMAND,
          trafficBus: shifting ? "default" : undefined,
        })
      : undefined;
    const { prescaling } = await import("./stacks/prescaling.ts");
    // Pre-scaling is deployed once policies are configured (see docs/prescaling.md).
    const prescalingPolicies = process.env.HARBORMASTER_PRESCALING_POLICIES;
    const prescaler = prescalingPolicies
      ? prescaling({
          clusterName: process.env.HARBORMASTER_CLUSTER_NAME ?? `harbormaster-${$app.stage}`,
          policies: prescalingPolicies,
        })
      : undefined;
    return {
      ...(prescaler ? { prescalingQueueUrl: prescaler.queue.url } : {}),
      ...(chat ? { slackCommandUrl: chat.command.url, slackQueueUrl: chat.queue.url } : {}),
      ...(shifting ? { deployWebhookUrl: shifting.webhook.url } : {}),
      interruptionQueueUrl: interruption.queue.url,
      interruptionDlqUrl: interruption.dlq.url,
    };
  },
});
