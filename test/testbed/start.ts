// The README's start command: brings up the real components and keeps them up until Ctrl-C. Two clusters:
// the testbed's control plane as blue, and a second one beside it as green, both served by one deployment.

import { startLocal } from "../local/start.ts";
import { buildAll } from "./build/index.ts";
import { startCluster } from "./cluster.ts";
import { TestbedError } from "./errors.ts";
import { cacheRoot } from "./paths.ts";
import { stderrProgress } from "./progress.ts";
import { startTestbed } from "./testbed.ts";

async function main(): Promise<void> {
  const { testbed, green } = await startBoth();
  const { endpoints } = testbed;
  const stopClusters = async () => {
    await green.close();
    await testbed.stop();
  };
  const clusters = [
    { name: "blue", kubeconfigPath: endpoints.kubeconfigPath },
    { name: "green", kubeconfigPath: green.kubeconfigPath },
  ];
  const local = await startLocal(endpoints, clusters, process.argv[2]).catch(async (error: unknown) => {
    await stopClusters();
    throw error;
  });
  process.stdout.write(
    [
      "",
      "Harbormaster testbed is up.",
      `  Kubernetes ${endpoints.kubernetesVersion}, blue:   KUBECONFIG=${endpoints.kubeconfigPath}`,
      `  Kubernetes ${endpoints.kubernetesVersion}, green:  KUBECONFIG=${green.kubeconfigPath}`,
      `  AWS emulator (moto):     AWS_ENDPOINT_URL=${endpoints.awsEndpoint}`,
      `  Redis:                   ${endpoints.redisUrl}`,
      `  Logs:                    ${endpoints.workDir}/logs (green: ${green.workDir}/logs)`,
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
    await stopClusters();
    process.stdout.write("stopped.\n");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await local.play();
}

// The two control planes start side by side; if one fails, the other is stopped before the error is shown.
async function startBoth() {
  // Built first, once: two starts finding a cold cache would build the same entry twice at once.
  await buildAll(stderrProgress, cacheRoot());
  const [testbed, green] = await Promise.allSettled([
    startTestbed({ keepWorkDir: true }),
    startCluster({ name: "green", keepWorkDir: true }),
  ]);
  if (testbed.status === "fulfilled" && green.status === "fulfilled")
    return { testbed: testbed.value, green: green.value };
  if (testbed.status === "fulfilled") await testbed.value.stop();
  if (green.status === "fulfilled") await green.value.close();
  throw testbed.status === "rejected" ? testbed.reason : (green as PromiseRejectedResult).reason;
}

main().catch((error: unknown) => {
  const message = error instanceof TestbedError ? error.message : String(error instanceof Error ? error.stack : error);
  process.stderr.write(`\nharbormaster start failed: ${message}\n`);
  process.exit(1);
});
