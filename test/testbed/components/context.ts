import type { Builds } from "../build/index.ts";
import type { Credentials } from "../credentials.ts";

/** The components of one Kubernetes control plane; the shared testbed and every extra cluster run them all. */
export const controlPlaneComponents = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
] as const;
export type ControlPlaneComponent = (typeof controlPlaneComponents)[number];

export const componentNames = [...controlPlaneComponents, "moto", "redis"] as const;
export type ComponentName = (typeof componentNames)[number];

/** What any component's spec is built from: its work dir, its port, its log and any extra flags. */
export interface ComponentContext<N extends ComponentName = ComponentName> {
  workDir: string;
  ports: Record<N, number>;
  logPath(component: N): string;
  extraArgs(component: N): readonly string[];
}

/** A control plane's components also share its binaries, its credentials and the admin kubeconfig. */
export interface ControlPlaneContext extends ComponentContext<ControlPlaneComponent> {
  builds: Pick<Builds, "kubernetes" | "kwok">;
  credentials: Credentials;
  /** Written once the apiserver serves; components started after it use it. */
  kubeconfig: string;
  apiserverCertDir: string;
  /** etcd's member name. */
  name: string;
}

/** Flags kube-controller-manager and kube-scheduler share: the admin kubeconfig and loopback-only serving. */
export function controlPlaneClientArgs(
  ctx: ControlPlaneContext,
  name: ControlPlaneComponent,
  certDir: string,
): string[] {
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
