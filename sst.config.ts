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
    return {
      interruptionQueueUrl: interruption.queue.url,
      interruptionDlqUrl: interruption.dlq.url,
    };
  },
});
