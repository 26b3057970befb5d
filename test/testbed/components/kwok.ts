import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import type { ComponentContext } from "./context.ts";

// The annotation simulated nodes carry; kwok plays the kubelet only for them.
export const kwokNodeAnnotation = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

export function kwok(ctx: ComponentContext): ComponentSpec {
  const port = ctx.ports.kwok;
  return {
    name: "kwok",
    command: ctx.builds.kwok.binary,
    args: [
      `--kubeconfig=${ctx.kubeconfig}`,
      `--config=${ctx.builds.kwok.stages}`,
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
