// The README's start command: brings up the real components and keeps them up until Ctrl-C.

import { startLocal } from "../local/start.ts";
import { TestbedError } from "./errors.ts";
import { startTestbed } from "./testbed.ts";

async function main(): Promise<void> {
  const testbed = await startTestbed({ keepWorkDir: true });
  const { endpoints } = testbed;
  const local = await startLocal(endpoints, process.argv[2]).catch(async (error: unknown) => {
    await testbed.stop();
    throw error;
  });
  process.stdout.write(
    [
      "",
      "Harbormaster testbed is up.",
      `  Kubernetes ${endpoints.kubernetesVersion}:  KUBECONFIG=${endpoints.kubeconfigPath}`,
      `  AWS emulator (moto):     AWS_ENDPOINT_URL=${endpoints.awsEndpoint}`,
      `  Redis:                   ${endpoints.redisUrl}`,
      `  Logs:                    ${endpoints.workDir}/logs`,
      ...local.lines,
      "",
      `Stop it with Ctrl-C (or kill -TERM ${process.pid}); everything started here stops with it.`,
      "",
    ].join("\n"),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the testbed...\n`);
    await local.stop();
    await testbed.stop();
    process.stdout.write("stopped.\n");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await local.play();
}

main().catch((error: unknown) => {
  const message = error instanceof TestbedError ? error.message : String(error instanceof Error ? error.stack : error);
  process.stderr.write(`\nharbormaster start failed: ${message}\n`);
  process.exit(1);
});
