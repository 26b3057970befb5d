import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAll } from "./build/index.ts";
import { type ComponentName, componentNames } from "./components/context.ts";
import { moto } from "./components/moto.ts";
import { redis } from "./components/redis.ts";
import { startControlPlane } from "./control-plane.ts";
import { allOrFirstError, ComponentGroup } from "./group.ts";
import { cacheRoot } from "./paths.ts";
import { claimPorts } from "./ports.ts";
import { type Progress, seconds, stderrProgress } from "./progress.ts";

export interface TestbedOptions {
  progress?: Progress;
  cacheRoot?: string;
  /** Fixed ports; a component without one gets a free port. */
  ports?: Partial<Record<ComponentName, number>>;
  extraArgs?: Partial<Record<ComponentName, readonly string[]>>;
  /** Keep logs and data after stop (the start command does, so a user can read them). */
  keepWorkDir?: boolean;
}

/** What tests and the start command need to reach the components. Serialisable. */
export interface TestbedEndpoints {
  kubeconfigPath: string;
  kubernetesVersion: string;
  apiserverUrl: string;
  awsEndpoint: string;
  redisUrl: string;
  workDir: string;
  logs: Record<ComponentName, string>;
  pids: Partial<Record<ComponentName, number>>;
}

export interface Testbed {
  endpoints: TestbedEndpoints;
  /** Stops one component and starts it again on the same port with the same data (an apiserver restart). */
  restart(name: ComponentName): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const progress = options.progress ?? stderrProgress;
  const builds = await buildAll(progress, options.cacheRoot ?? cacheRoot());
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), "harbormaster-testbed-"));
  const logDir = join(workDir, "logs");
  mkdirSync(logDir);
  const logPath = (name: ComponentName) => join(logDir, `${name}.log`);
  const group = new ComponentGroup(progress);
  const stop = async () => {
    await group.stopAll();
    if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const ports = await claimPorts(componentNames, options.ports, logPath);
    const extraArgs = options.extraArgs;
    const services = { workDir, ports, logPath, extraArgs: (name: ComponentName) => extraArgs?.[name] ?? [] };
    progress("testbed", `starting components (logs: ${logDir})`);
    const starting = startControlPlane(group, { name: "testbed", workDir, builds, ports, logPath, extraArgs });
    // Settled together, so whatever did come up is in the group and stopped if another start failed.
    await allOrFirstError([
      starting.then(() => {}),
      group.launch(moto(services, builds.moto)),
      group.launch(redis(services)),
    ]);
    const controlPlane = await starting;
    progress("testbed", `all components ready in ${seconds(started)}`);

    const endpoints: TestbedEndpoints = {
      kubeconfigPath: controlPlane.kubeconfigPath,
      kubernetesVersion: builds.kubernetes.version,
      apiserverUrl: controlPlane.apiserverUrl,
      awsEndpoint: `http://127.0.0.1:${ports.moto}`,
      redisUrl: `redis://127.0.0.1:${ports.redis}`,
      workDir,
      logs: Object.fromEntries(componentNames.map((name) => [name, logPath(name)])) as Record<ComponentName, string>,
      pids: group.pids() as TestbedEndpoints["pids"],
    };
    return { endpoints, restart: (name) => group.restart(name), stop };
  } catch (error) {
    // Logs stay behind: the error names the one that explains the failure.
    await group.stopAll().catch(() => {});
    throw error;
  }
}
