import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAll } from "./build/index.ts";
import { type ComponentContext, type ComponentName, componentNames } from "./components/context.ts";
import { etcd } from "./components/etcd.ts";
import { kubeApiserver } from "./components/kube-apiserver.ts";
import { kubeControllerManager } from "./components/kube-controller-manager.ts";
import { kubeScheduler } from "./components/kube-scheduler.ts";
import { kwok } from "./components/kwok.ts";
import { moto } from "./components/moto.ts";
import { redis } from "./components/redis.ts";
import { writeCredentials, writeKubeconfig } from "./credentials.ts";
import { cacheRoot } from "./paths.ts";
import { claimPort, freePort } from "./ports.ts";
import { type ComponentSpec, type RunningComponent, startComponent } from "./process.ts";
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
  const apiserverCertDir = join(workDir, "apiserver-certs");
  mkdirSync(logDir);
  mkdirSync(apiserverCertDir);
  const logPath = (name: ComponentName) => join(logDir, `${name}.log`);
  const running: RunningComponent[] = [];
  const specs = new Map<string, ComponentSpec>();

  const stopComponents = async () => {
    for (const component of running.reverse()) await component.stop();
    running.length = 0;
  };
  const stop = async () => {
    await stopComponents();
    if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const ports = {} as Record<ComponentName, number>;
    for (const name of componentNames) ports[name] = await claimPort(name, options.ports?.[name], logPath(name));
    const ctx: ComponentContext = {
      workDir,
      builds,
      credentials: writeCredentials(workDir),
      ports,
      kubeconfig: join(workDir, "kubeconfig"),
      apiserverCertDir,
      logPath,
      extraArgs: (name) => options.extraArgs?.[name] ?? [],
    };
    const launch = async (spec: ComponentSpec) => {
      specs.set(spec.name, spec);
      const t0 = Date.now();
      const component = await startComponent(spec);
      running.push(component);
      progress(spec.name, `ready in ${seconds(t0)} (pid ${component.pid})`);
    };

    progress("testbed", `starting components (logs: ${logDir})`);
    await allOrFirstError([launch(etcd(ctx, await freePort())), launch(moto(ctx)), launch(redis(ctx))]);
    await launch(kubeApiserver(ctx));
    const apiserverUrl = `https://127.0.0.1:${ports["kube-apiserver"]}`;
    writeKubeconfig(ctx.kubeconfig, apiserverUrl, join(apiserverCertDir, "apiserver.crt"), ctx.credentials.adminToken);
    await allOrFirstError([launch(kubeControllerManager(ctx)), launch(kubeScheduler(ctx)), launch(kwok(ctx))]);
    progress("testbed", `all components ready in ${seconds(started)}`);

    const endpoints: TestbedEndpoints = {
      kubeconfigPath: ctx.kubeconfig,
      kubernetesVersion: builds.kubernetes.version,
      apiserverUrl,
      awsEndpoint: `http://127.0.0.1:${ports.moto}`,
      redisUrl: `redis://127.0.0.1:${ports.redis}`,
      workDir,
      logs: Object.fromEntries(componentNames.map((name) => [name, logPath(name)])) as Record<ComponentName, string>,
      pids: Object.fromEntries(running.map((c) => [c.name, c.pid])),
    };
    const restart = async (name: ComponentName) => {
      const index = running.findIndex((c) => c.name === name);
      const spec = specs.get(name);
      if (index < 0 || !spec) throw new Error(`${name} is not running`);
      await running[index]?.stop();
      running.splice(index, 1);
      await launch(spec);
    };
    return { endpoints, restart, stop };
  } catch (error) {
    // Logs stay behind: the error names the one that explains the failure.
    await stopComponents().catch(() => {});
    throw error;
  }
}

// Waits for every start to settle, so a component that did come up is known and stopped, then fails first.
async function allOrFirstError(starts: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}
