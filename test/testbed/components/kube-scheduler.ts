import { join } from "node:path";
import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import { type ControlPlaneContext, controlPlaneClientArgs } from "./context.ts";

export function kubeScheduler(ctx: ControlPlaneContext): ComponentSpec {
  const port = ctx.ports["kube-scheduler"];
  return {
    name: "kube-scheduler",
    command: ctx.builds.kubernetes.scheduler,
    args: [
      ...controlPlaneClientArgs(ctx, "kube-scheduler", join(ctx.workDir, "scheduler-certs")),
      ...ctx.extraArgs("kube-scheduler"),
    ],
    logPath: ctx.logPath("kube-scheduler"),
    ready: () => httpOk(`https://127.0.0.1:${port}/healthz`, { insecure: true }, "ok"),
  };
}
