import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { TestbedError } from "./errors.ts";

export interface RunOptions {
  component: string;
  logPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onLine?: (line: string) => void;
  /** Aborting kills the step, so a failed sibling build leaves nothing running. */
  signal?: AbortSignal;
}

// Runs a build step to completion, teeing its output into the component's log.
export function runLogged(command: string, args: readonly string[], options: RunOptions): Promise<void> {
  const { component, logPath } = options;
  const log = createWriteStream(logPath, { flags: "a" });
  log.write(`$ ${command} ${args.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
      killSignal: "SIGKILL",
    });
    for (const stream of [child.stdout, child.stderr]) {
      const lines = createInterface({ input: stream });
      lines.on("line", (line) => {
        log.write(`${line}\n`);
        options.onLine?.(line);
      });
    }
    child.on("error", (error: NodeJS.ErrnoException) => {
      log.end();
      const message =
        error.code === "ENOENT"
          ? `\`${command}\` was not found on PATH; install it first`
          : error.name === "AbortError"
            ? "stopped because another build failed"
            : error.message;
      reject(new TestbedError(component, message, { logPath, cause: error }));
    });
    child.on("close", (code, signal) => {
      log.end(() => {
        if (code === 0) resolve();
        else {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(new TestbedError(component, `\`${command} ${args.slice(0, 3).join(" ")}\` ${how}`, { logPath }));
        }
      });
    });
  });
}
