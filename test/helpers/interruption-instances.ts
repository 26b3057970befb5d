import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { InterruptionNotification } from "../../functions/core/notifications.ts";

const script = fileURLToPath(new URL("./interruption-process.ts", import.meta.url));

/** Starts an instance of the function in its own process (see interruption-process.ts), to be killed. */
export function spawnInstance(env: Record<string, string | undefined>, queue: { url: string; arn: string }) {
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      HARBORMASTER_TEST_INSTANCE: JSON.stringify({ env, queueUrl: queue.url, queueArn: queue.arn }),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const notifications: InterruptionNotification[] = [];
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    // Only the notifications are JSON lines with a type; the handler's own logs are left out.
    for (const line of lines) {
      try {
        const value = JSON.parse(line) as InterruptionNotification;
        if (typeof value.type === "string" && typeof value.threadKey === "string") notifications.push(value);
      } catch {}
    }
  });
  return {
    notifications,
    /** SIGKILL: no finally block, no release of anything it holds. */
    async kill() {
      if (child.exitCode !== null) return;
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}
