import { appendFileSync } from "node:fs";
import { createServer } from "node:net";
import { TestbedError } from "./errors.ts";

// Asks the kernel for a free loopback port. Another process could take it before the component
// binds; the component's start then fails with a port error that names it, never silently.
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

// A fixed port (from configuration) is checked before start, so the error is precise, not a crash later.
export async function claimPort(component: string, port: number | undefined, logPath: string): Promise<number> {
  if (port === undefined) return freePort();
  if (!(await isPortFree(port))) {
    const error = new TestbedError(component, `port ${port} on 127.0.0.1 is already in use`, { logPath });
    appendFileSync(logPath, `${error.message}\n`);
    throw error;
  }
  return port;
}

/** Claims every component's port before any starts, so a taken fixed port fails with nothing running. */
export async function claimPorts<N extends string>(
  names: readonly N[],
  fixed: Partial<Record<N, number>> | undefined,
  logPath: (name: N) => string,
): Promise<Record<N, number>> {
  const ports = {} as Record<N, number>;
  for (const name of names) ports[name] = await claimPort(name, fixed?.[name], logPath(name));
  return ports;
}
