import type { Builds } from "../build/index.ts";
import type { Credentials } from "../credentials.ts";

export const componentNames = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "moto",
  "redis",
] as const;
export type ComponentName = (typeof componentNames)[number];

export interface ComponentContext {
  workDir: string;
  builds: Builds;
  credentials: Credentials;
  ports: Record<ComponentName, number>;
  /** Written once the apiserver serves; components started after it use it. */
  kubeconfig: string;
  apiserverCertDir: string;
  logPath(component: ComponentName): string;
  extraArgs(component: ComponentName): readonly string[];
}

/** Flags kube-controller-manager and kube-scheduler share: the admin kubeconfig and loopback-only serving. */
export function controlPlaneClientArgs(ctx: ComponentContext, name: ComponentName, certDir: string): string[] {
  return [
    `--kubeconfig=${ctx.kubeconfig}`,
    `--authentication-kubeconfig=${ctx.kubeconfig}`,
    `--authorization-kubeconfig=${ctx.kubeconfig}`,
    "--leader-elect=false",
    "--bind-address=127.0.0.1",
    `--secure-port=${ctx.ports[name]}`,
    `--cert-dir=${certDir}`,
    "--profiling=false",
  ];
}
