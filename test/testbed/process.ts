import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { TestbedError } from "./errors.ts";

export interface ComponentSpec {
  name: string;
  command: string;
  args: readonly string[];
  logPath: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves true once the component serves; called repeatedly until it does. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 5 s). */
  stopGraceMs?: number;
}

export interface RunningComponent {
  name: string;
  pid: number;
  logPath: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Components started by this process that have not exited yet. */
export function liveComponentPids(): number[] {
  return [...running].map((child) => child.pid ?? -1);
}

// A harness that dies must not leave servers behind: kill whatever is still ours on exit.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

// The exit hook above cannot run when the harness is killed outright; with util-linux's setpriv the kernel
// itself kills each component when its parent dies, however it dies.
const setpriv = findOnPath("setpriv");

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function startComponent(spec: ComponentSpec): Promise<RunningComponent> {
  const fd = openSync(spec.logPath, "a");
  let child: ChildProcess;
  const [command, args] = setpriv
    ? [setpriv, ["--pdeathsig", "KILL", "--", spec.command, ...spec.args]]
    : [spec.command, [...spec.args]];
  try {
    child = spawn(command, args, { env: spec.env ?? process.env, stdio: ["ignore", fd, fd] });
  } finally {
    closeSync(fd);
  }
  running.add(child);

  const exited = new Promise<TestbedError>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      const message = error.code === "ENOENT" ? `\`${spec.command}\` was not found` : error.message;
      resolve(new TestbedError(spec.name, message, { logPath: spec.logPath, cause: error }));
    });
    child.once("exit", (code, signal) => {
      running.delete(child);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const last = lastLogLine(spec.logPath);
      resolve(new TestbedError(spec.name, `${how} during start${last ? `: ${last}` : ""}`, { logPath: spec.logPath }));
    });
  });
  const component: RunningComponent = {
    name: spec.name,
    pid: child.pid ?? -1,
    logPath: spec.logPath,
    stop: () => stopChild(child, spec.stopGraceMs),
  };

  const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
  let exitError: TestbedError | undefined;
  exited.then((error) => {
    exitError = error;
  });
  while (!exitError) {
    if (await spec.ready().catch(() => false)) {
      if (!exitError) return component;
    }
    if (Date.now() > deadline) {
      await component.stop();
      throw new TestbedError(spec.name, `not ready after ${spec.readyTimeoutMs ?? 60_000} ms`, {
        logPath: spec.logPath,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw exitError;
}

async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
  running.delete(child);
}

// The last line a dying component wrote usually says why (a bad flag, a port in use).
function lastLogLine(path: string): string | undefined {
  try {
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    return lines.at(-1)?.slice(0, 300);
  } catch {
    return undefined;
  }
}
