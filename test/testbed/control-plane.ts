// One Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) in a work
// dir of its own: its own data, certificates, tokens and service-account keys. The shared testbed runs one,
// and each extra cluster runs another, started the same way.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type ControlPlaneComponent, type ControlPlaneContext, controlPlaneComponents } from "./components/context.ts";
import { etcd } from "./components/etcd.ts";
import { kubeApiserver } from "./components/kube-apiserver.ts";
import { kubeControllerManager } from "./components/kube-controller-manager.ts";
import { kubeScheduler } from "./components/kube-scheduler.ts";
import { kwok } from "./components/kwok.ts";
import { writeCredentials, writeKubeconfig } from "./credentials.ts";
import type { ComponentGroup } from "./group.ts";
import { freePort } from "./ports.ts";

export interface ControlPlaneOptions {
  /** etcd's member name. */
  name: string;
  /** An existing directory; the control plane's data, certificates and credentials go in it. */
  workDir: string;
  builds: ControlPlaneContext["builds"];
  /** Claimed beforehand (claimPorts), so a taken port fails before anything starts. */
  ports: Record<ControlPlaneComponent, number>;
  logPath(component: ControlPlaneComponent): string;
  extraArgs?: Partial<Record<ControlPlaneComponent, readonly string[]>>;
}

export interface ControlPlaneEndpoints {
  kubeconfigPath: string;
  apiserverUrl: string;
  logs: Record<ControlPlaneComponent, string>;
}

/** Launches the components into `group` in dependency order; the caller stops the group on failure. */
export async function startControlPlane(
  group: ComponentGroup,
  options: ControlPlaneOptions,
): Promise<ControlPlaneEndpoints> {
  const apiserverCertDir = join(options.workDir, "apiserver-certs");
  mkdirSync(apiserverCertDir, { recursive: true });
  const ctx: ControlPlaneContext = {
    name: options.name,
    workDir: options.workDir,
    builds: options.builds,
    credentials: writeCredentials(options.workDir),
    ports: options.ports,
    kubeconfig: join(options.workDir, "kubeconfig"),
    apiserverCertDir,
    logPath: options.logPath,
    extraArgs: (name) => options.extraArgs?.[name] ?? [],
  };
  await group.launch(etcd(ctx, await freePort()));
  await group.launch(kubeApiserver(ctx));
  const apiserverUrl = `https://127.0.0.1:${ctx.ports["kube-apiserver"]}`;
  writeKubeconfig(ctx.kubeconfig, apiserverUrl, join(apiserverCertDir, "apiserver.crt"), ctx.credentials.adminToken);
  await group.launchAll([kubeControllerManager(ctx), kubeScheduler(ctx), kwok(ctx)]);
  const logs = Object.fromEntries(controlPlaneComponents.map((name) => [name, options.logPath(name)]));
  return { kubeconfigPath: ctx.kubeconfig, apiserverUrl, logs: logs as Record<ControlPlaneComponent, string> };
}
