// A Kubernetes cluster beside the shared testbed: a control plane of its own (its own etcd, apiserver,
// controller-manager, scheduler and kwok) on free ports, from the same cached binaries. For tests and the
// start command that need more than one cluster; moto and Redis stay the shared testbed's.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildKubernetes } from "./build/kubernetes.ts";
import { buildKwok } from "./build/kwok.ts";
import { type ControlPlaneComponent, controlPlaneComponents } from "./components/context.ts";
import { startControlPlane } from "./control-plane.ts";
import { ComponentGroup } from "./group.ts";
import { cacheRoot } from "./paths.ts";
import { claimPorts } from "./ports.ts";
import { type Progress, seconds, stderrProgress } from "./progress.ts";

export interface ClusterOptions {
  /** Names its progress lines, errors and work dir ("green/kube-apiserver"). */
  name: string;
  progress?: Progress;
  cacheRoot?: string;
  /** Fixed ports; a component without one gets a free port. */
  ports?: Partial<Record<ControlPlaneComponent, number>>;
  extraArgs?: Partial<Record<ControlPlaneComponent, readonly string[]>>;
  /** Keep logs and data after close (the start command does, so a user can read them). */
  keepWorkDir?: boolean;
}

export interface Cluster {
  name: string;
  kubeconfigPath: string;
  apiserverUrl: string;
  workDir: string;
  logs: Record<ControlPlaneComponent, string>;
  /** Stops one component; the others keep running (an apiserver outage). */
  stop(component: ControlPlaneComponent): Promise<void>;
  /** Starts a stopped component again on the same port with the same data. */
  start(component: ControlPlaneComponent): Promise<void>;
  /** Stops every component and removes the work dir. */
  close(): Promise<void>;
}

/** On failure the error names the component and its log; nothing is left running and the logs stay. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const progress = options.progress ?? stderrProgress;
  const root = options.cacheRoot ?? cacheRoot();
  const builds = { kubernetes: await buildKubernetes({ progress, root }), kwok: await buildKwok({ progress, root }) };
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), `harbormaster-cluster-${options.name}-`));
  const logDir = join(workDir, "logs");
  mkdirSync(logDir);
  const logPath = (name: ControlPlaneComponent) => join(logDir, `${name}.log`);
  const group = new ComponentGroup(progress, options.name);
  try {
    const ports = await claimPorts(controlPlaneComponents, options.ports, logPath);
    progress(options.name, `starting a control plane (logs: ${logDir})`);
    const endpoints = await startControlPlane(group, { ...options, workDir, builds, ports, logPath });
    progress(options.name, `control plane ready in ${seconds(started)} at ${endpoints.apiserverUrl}`);
    return {
      name: options.name,
      ...endpoints,
      workDir,
      stop: (component) => group.stop(component),
      start: (component) => group.start(component),
      async close() {
        await group.stopAll();
        if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await group.stopAll().catch(() => {});
    throw error;
  }
}
