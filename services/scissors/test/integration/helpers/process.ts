import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(import.meta.dirname, "..", "..", "..", "..", "..");
const main = join(root, "services", "scissors", "src", "main.ts");

export interface ScissorsProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts the real service as its own process, on the pinned Node, and waits until it listens. */
export async function startScissors(env: Record<string, string>): Promise<ScissorsProcess> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, SCISSORS_HOST: "127.0.0.1", SCISSORS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
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
    peakRssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kib = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1]);
      return kib / 1024;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
