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
    const { interruptionQueue } = await import("./stacks/interruptions.ts");
    const interruptions = interruptionQueue();
    return {
      interruptionQueueUrl: interruptions.queue.url,
      interruptionDlqUrl: interruptions.dlq.url,
    };
  },
});
