// The components one testbed or cluster started: each is launched from its spec with a progress line, and
// can be stopped and started again from the same spec (same port, same data), one at a time or all at once.
import { type ComponentSpec, type RunningComponent, startComponent } from "./process.ts";
import { type Progress, seconds } from "./progress.ts";

export class ComponentGroup {
  private readonly running = new Map<string, RunningComponent>();
  private readonly specs = new Map<string, ComponentSpec>();
  private readonly progress: Progress;
  private readonly label: string | undefined;

  /** `label` prefixes names in progress and errors ("green/kube-apiserver"); the shared testbed has none. */
  constructor(progress: Progress, label?: string) {
    this.progress = progress;
    this.label = label;
  }

  private qualified(name: string): string {
    return this.label ? `${this.label}/${name}` : name;
  }

  async launch(spec: ComponentSpec): Promise<void> {
    this.specs.set(spec.name, spec);
    const t0 = Date.now();
    const component = await startComponent({ ...spec, name: this.qualified(spec.name) });
    this.running.set(spec.name, component);
    this.progress(this.qualified(spec.name), `ready in ${seconds(t0)} (pid ${component.pid})`);
  }

  launchAll(specs: ComponentSpec[]): Promise<void> {
    return allOrFirstError(specs.map((spec) => this.launch(spec)));
  }

  async stop(name: string): Promise<void> {
    const component = this.running.get(name);
    if (!component) throw new Error(`${this.qualified(name)} is not running`);
    await component.stop();
    this.running.delete(name);
  }

  /** Starts a stopped component again from the spec it was first launched with. */
  async start(name: string): Promise<void> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`${this.qualified(name)} was never started`);
    if (this.running.has(name)) throw new Error(`${this.qualified(name)} is already running`);
    await this.launch(spec);
  }

  async restart(name: string): Promise<void> {
    await this.stop(name);
    await this.start(name);
  }

  /** Stops everything in the reverse of first-launch order: clients before the apiserver, it before etcd. */
  async stopAll(): Promise<void> {
    for (const name of [...this.specs.keys()].reverse()) if (this.running.has(name)) await this.stop(name);
  }

  pids(): Record<string, number> {
    return Object.fromEntries([...this.running].map(([name, c]) => [name, c.pid]));
  }
}

/** Waits for every start to settle, so a component that did come up is known and stopped, then fails first. */
export async function allOrFirstError(starts: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}
