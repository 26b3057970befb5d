import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import type { ControlPlaneContext } from "./context.ts";

// The annotation simulated nodes carry; kwok plays the kubelet only for them.
export const kwokNodeAnnotation = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

// kwok plays pod stages four at a time by default, which makes it, not the code under test, the
// bottleneck when thousands of pods move at once (an AZ loss).
const options = `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  podPlayStageParallelism: 32
  nodePlayStageParallelism: 8
  nodeLeaseParallelism: 8
`;

export function kwok(ctx: ControlPlaneContext): ComponentSpec {
  const port = ctx.ports.kwok;
  const config = join(ctx.workDir, "kwok.yaml");
  writeFileSync(config, `${options}---\n${readFileSync(ctx.builds.kwok.stages, "utf8")}`);
  return {
    name: "kwok",
    command: ctx.builds.kwok.binary,
    args: [
      `--kubeconfig=${ctx.kubeconfig}`,
      `--config=${config}`,
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation.key}=${kwokNodeAnnotation.value}`,
      `--server-address=127.0.0.1:${port}`,
      "--node-lease-duration-seconds=40",
      ...ctx.extraArgs("kwok"),
    ],
    logPath: ctx.logPath("kwok"),
    ready: () => httpOk(`http://127.0.0.1:${port}/healthz`),
  };
}
