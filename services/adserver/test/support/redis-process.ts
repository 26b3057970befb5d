// A redis-server of the test's own on a free loopback port, for tests that kill, restart or slow it
// (the shared testbed's Redis serves other tests and must not be touched). AOF keeps data across a restart,
// as a production Redis with persistence would.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

export class RedisProcess {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort(), mkdtempSync(join(tmpdir(), "adserver-redis-")));
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts (again) on the same port and data directory, and waits until it answers PING. */
  async restart(): Promise<void> {
    const child = spawn(
      "redis-server",
      [
        ...["--bind", "127.0.0.1", "--port", String(this.port), "--dir", this.dir, "--save", ""],
        ...["--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "local"],
      ],
      { stdio: "ignore" },
    );
    this.#child = child;
    const exited = once(child, "exit").then(([code]) => {
      throw new Error(`redis-server on port ${this.port} exited with ${code} while starting`);
    });
    exited.catch(() => {});
    for (let attempt = 0; !(await Promise.race([this.#ping(), exited])); attempt++) {
      if (attempt > 250) throw new Error(`redis-server on port ${this.port} did not answer PING`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #ping(): Promise<boolean> {
    const client = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    try {
      await client.connect();
      return (await client.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }

  /** SIGKILL: the crash case, no goodbye to clients. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  client(): Redis {
    return new Redis(this.url);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}
