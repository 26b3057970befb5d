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
