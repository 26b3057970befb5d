// The start command's local control plane, on top of the testbed: started after it, stopped before it.
import { rmSync } from "node:fs";
import type { TestbedEndpoints } from "../testbed/testbed.ts";
import type { ClusterInput } from "./clusters.ts";
import { infoPath } from "./info-file.ts";
import { playScenario, scenarios } from "./scenarios/index.ts";
import { startLocalStack, writeInfo } from "./stack.ts";

/**
 * `clusters`: blue (the testbed's) and green, each with its own nodes and overlay; scenarios target blue.
 * `scenario`: one to play as soon as the stack is up (`npm start -- spot-storm`), e.g. for a first look.
 */
export async function startLocal(endpoints: TestbedEndpoints, clusters: ClusterInput[], scenario?: string) {
  if (scenario && !scenarios[scenario])
    throw new Error(`unknown scenario ${scenario}; one of: ${Object.keys(scenarios).join(", ")}`);
  const t0 = Date.now();
  const stack = await startLocalStack(endpoints, {
    clusters,
    statusPort: Number(process.env.HARBORMASTER_STATUS_PORT ?? 0) || undefined,
    log: (step, message) => process.stderr.write(`[local] ${step.padEnd(9)} ${message}\n`),
  });
  writeInfo(infoPath(), stack.info);
  const lines = [
    ...stack.info.clusters.map(
      (c) => `  Cluster ${c.name.padEnd(6)}          ${c.nodes.length} nodes, EKS name ${c.eksCluster}`,
    ),
    `  Live view:               ${stack.info.statusUrl}`,
    `  Local Slack:             ${stack.info.slackUrl}`,
    ...stack.info.clusters.flatMap((c) => [
      `  Scissors (${c.name}):${" ".repeat(Math.max(1, 13 - c.name.length))}${c.scissorsUrl}/sample.jpg?width=320`,
      `  Ad server (${c.name}):${" ".repeat(Math.max(1, 12 - c.name.length))}${c.adserverUrl}/v1/ad?slot=article_mpu&uid=u1&device=desktop&country=JP`,
    ]),
    `  Local stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s. Play a scenario in another terminal:`,
    "    npm run scenario -- spot-storm   (or asg-scale-in, health-retirement, traffic-spike, blue-green,",
    "                                      cluster-upgrade)",
  ];
  return {
    lines,
    /** Plays the scenario given at start, if any; a failure is reported and the stack stays up. */
    async play() {
      if (!scenario) return;
      await playScenario(stack.info, scenario, (line) => process.stdout.write(`${line}\n`)).catch((error: unknown) =>
        process.stderr.write(
          `scenario ${scenario} failed: ${error instanceof Error ? error.message : String(error)}\n`,
        ),
      );
      process.stdout.write(`\nlive view: ${stack.info.statusUrl}   local Slack: ${stack.info.slackUrl}\n`);
    },
    async stop() {
      rmSync(infoPath(), { force: true });
      await stack.stop();
    },
  };
}
