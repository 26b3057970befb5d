import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { bundle, nodeFlags } from "../../../build.ts";
import { statusMiB } from "./proc-stats.ts";

const service = join(import.meta.dirname, "..", "..", "..");

/**
 * The production artifact, as the Dockerfile builds it, in a file of its own (test files run in parallel),
 * next to the real one so that sharp resolves from node_modules the same way. It stays until the process
 * exits: the service starts its SVG renderers from the same file, again after killing one.
 */
async function productionBundle(): Promise<string> {
  const outfile = join(service, "dist", `test-${randomUUID()}.mjs`);
  await bundle(join(service, "src", "main.ts"), outfile);
  return outfile;
}

export interface ScissorsProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts the real service as its own process, bundled and on the pinned Node, and waits until it listens. */
export async function startScissors(env: Record<string, string>): Promise<ScissorsProcess> {
  const main = await productionBundle();
  const child = spawn(process.execPath, [...nodeFlags, main], {
    env: { ...process.env, SCISSORS_HOST: "127.0.0.1", SCISSORS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  exited.then(() => rmSync(main, { force: true }));
  child.stderr?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      logs.push(line);
      if (line.includes('"msg":"listening"')) resolve(JSON.parse(line).url as string);
    });
    exited.then((code) => reject(new Error(`scissors exited with ${code}: ${logs.join("\n")}`)));
  });
  return {
    url,
    child,
    logs,
    exited,
    peakRssMiB: () => statusMiB(child.pid as number, "VmHWM"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** For tests that run the service in their own process: its SVG renderers run the TypeScript entry point. */
export const inProcessRuntime = { rendererEntry: join(service, "src", "main.ts") };
