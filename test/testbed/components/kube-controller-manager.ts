import { join } from "node:path";
import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import { type ControlPlaneContext, controlPlaneClientArgs } from "./context.ts";

// Runs every default controller; the disruption controller is the one PodDisruptionBudgets need.
export function kubeControllerManager(ctx: ControlPlaneContext): ComponentSpec {
  const port = ctx.ports["kube-controller-manager"];
  return {
    name: "kube-controller-manager",
    command: ctx.builds.kubernetes.controllerManager,
    args: [
      ...controlPlaneClientArgs(ctx, "kube-controller-manager", join(ctx.workDir, "controller-manager-certs")),
      `--service-account-private-key-file=${ctx.credentials.serviceAccountKey}`,
      `--root-ca-file=${join(ctx.apiserverCertDir, "apiserver.crt")}`,
      "--use-service-account-credentials=false",
      ...ctx.extraArgs("kube-controller-manager"),
    ],
    logPath: ctx.logPath("kube-controller-manager"),
    ready: () => httpOk(`https://127.0.0.1:${port}/healthz`, { insecure: true }, "ok"),
  };
}
