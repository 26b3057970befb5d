import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { setPriority } from "node:os";
import { ScissorsError, timedOut, tooLarge, unprocessable } from "../core/errors.ts";
import type { Logger } from "./log.ts";
import { type RenderReply, type RenderRequest, rendererFlag } from "./svg-protocol.ts";
import type { TransformResult } from "./transform.ts";

export interface RendererSettings {
  /** The service's entry point; the renderer is the same file run with `--svg-renderer`. */
  entry: string;
  processes: number;
  timeoutMs: number;
  maxRssBytes: number;
  /** Scheduling priority of the renderers (0–19): SVG work yields the cores to raster images. */
  nice: number;
}

const watchEveryMs = 50;
const pageBytes = 4096;

/** Resident bytes of a process, from /proc; undefined where there is none (the bound then goes unchecked). */
function residentBytes(pid: number | undefined): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, "latin1").split(" ")[1]);
    return Number.isFinite(pages) ? pages * pageBytes : undefined;
  } catch {
    return undefined;
  }
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
}

/**
 * SVG renderer processes, each rendering one SVG at a time. librsvg ignores libvips' timeout and a render
 * in the service's own thread pool would also hold up its exit (libuv joins its threads), so SVG renders
 * in a child process that is killed with SIGKILL at its deadline, when its resident memory passes the
 * bound, when the request is abandoned, and at shutdown. Its CPU stops at once, and a fresh process takes
 * its place. The caller bounds how many renders run at once to `processes` (a Limiter).
 */
export class SvgRenderers {
  readonly #settings: RendererSettings;
  readonly #log: Logger;
  readonly #idle: Worker[] = [];
  readonly #busy = new Set<Worker>();
  #nextId = 0;
  #closed = false;

  constructor(settings: RendererSettings, log: Logger) {
    this.#settings = settings;
    this.#log = log;
  }

  /**
   * Starts every renderer now rather than at the first SVG, which would otherwise wait for one to load;
   * resolves once all are ready, and rejects if one cannot start (a broken entry point shows at start).
   */
  async warm(): Promise<void> {
    while (!this.#closed && this.#idle.length + this.#busy.size < this.#settings.processes) {
      this.#idle.push(this.#spawn());
    }
    await Promise.all(this.#idle.map((worker) => worker.ready));
  }

  /** Process ids of the renderers now alive, for tests and metrics. */
  get pids(): number[] {
    return [...this.#idle, ...this.#busy].flatMap(({ child }) => (child.pid === undefined ? [] : [child.pid]));
  }

  #spawn(): Worker {
    const child = fork(this.#settings.entry, [rendererFlag], {
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // One render at a time on one libvips thread: a small pool is enough.
      env: { ...process.env, UV_THREADPOOL_SIZE: "2" },
    });
    try {
      if (child.pid !== undefined) setPriority(child.pid, this.#settings.nice);
    } catch (error) {
      this.#log.warn("could not lower the SVG renderer's priority", { error: String(error) });
    }
    const ready = new Promise<void>((resolve, reject) => {
      child.once("exit", () => reject(unprocessable("SVG renderer stopped before it was ready")));
      child.on("message", (message: RenderReply) => message.kind === "ready" && resolve());
    });
    ready.catch(() => {});
    child.on("error", (error) => this.#log.warn("SVG renderer error", { error: String(error) }));
    return { child, ready };
  }

  #take(): Worker {
    let worker = this.#idle.pop();
    if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) worker = this.#spawn();
    this.#busy.add(worker);
    return worker;
  }

  #giveBack(worker: Worker, alive: boolean) {
    this.#busy.delete(worker);
    // A killed renderer is replaced at once, so the next SVG does not wait for one to load.
    if (alive) this.#idle.push(worker);
    else if (!this.#closed) this.#idle.push(this.#spawn());
  }

  render(request: Omit<RenderRequest, "id">, signal: AbortSignal): Promise<TransformResult> {
    if (this.#closed) return Promise.reject(unprocessable("SVG renderers are shut down"));
    const worker = this.#take();
    const { child } = worker;
    const id = ++this.#nextId;
    const { timeoutMs, maxRssBytes } = this.#settings;
    return new Promise<TransformResult>((resolve, reject) => {
      let settled = false;
      let sent = false;
      const finish = (alive: boolean, error?: Error, result?: TransformResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        signal.removeEventListener("abort", onAbort);
        child.off("message", onMessage);
        child.off("exit", onExit);
        this.#giveBack(worker, alive);
        if (error) reject(error);
        else resolve(result as TransformResult);
      };
      const stop = (error: Error) => {
        child.kill("SIGKILL");
        this.#log.warn("SVG renderer killed", { pid: child.pid, reason: error.message });
        finish(false, error);
      };
      const onMessage = (message: RenderReply) => {
        if (message.kind === "ready" || message.id !== id) return;
        if (message.kind === "refused") {
          finish(true, new ScissorsError(message.status, message.code, message.message));
          return;
        }
        const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength);
        finish(true, undefined, { body, width: message.width, height: message.height });
      };
      const onExit = (code: number | null, signalName: string | null) =>
        finish(false, unprocessable(`SVG renderer stopped (${signalName ?? code}) while rendering`));
      const onAbort = () => {
        const reason = signal.reason instanceof Error ? signal.reason : new Error("request abandoned");
        // Nothing to stop before the job was sent.
        if (sent) stop(reason);
        else finish(true, reason);
      };
      const timer = setTimeout(
        () => stop(timedOut(`SVG rendering took more than ${timeoutMs} ms and was stopped`)),
        timeoutMs,
      );
      const watch = setInterval(() => {
        const rss = residentBytes(child.pid);
        if (rss !== undefined && rss > maxRssBytes) {
          stop(tooLarge(`SVG rendering needed more than ${Math.round(maxRssBytes / 2 ** 20)} MiB`));
        }
      }, watchEveryMs);
      child.on("message", onMessage);
      child.once("exit", onExit);
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
      worker.ready.then(
        () => {
          if (settled) return;
          try {
            child.send({ ...request, id } satisfies RenderRequest);
            sent = true;
          } catch (error) {
            stop(unprocessable(`SVG renderer unreachable: ${(error as Error).message}`));
          }
        },
        () => {},
      );
    });
  }

  /** Kills every renderer, busy or not: used at shutdown, after the grace period. */
  close(): void {
    this.#closed = true;
    for (const worker of [...this.#idle.splice(0), ...this.#busy]) worker.child.kill("SIGKILL");
  }
}
