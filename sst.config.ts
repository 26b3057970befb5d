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
    return {
      ...(shifting ? { deployWebhookUrl: shifting.webhook.url } : {}),
      interruptionQueueUrl: interruption.queue.url,
      interruptionDlqUrl: interruption.dlq.url,
    };
  },
});
