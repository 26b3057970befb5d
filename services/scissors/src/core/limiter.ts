import { overloaded } from "./errors.ts";

interface Waiter {
  start: () => void;
  fail: (error: Error) => void;
}

/**
 * At most `concurrency` tasks run; at most `maxQueue` wait. A task that finds the queue full, or that waits
 * longer than `maxWaitMs`, is refused with a 503 instead of piling up memory behind the ones running.
 */
export class Limiter {
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly maxWaitMs: number;
  #active = 0;
  #queue: Waiter[] = [];

  constructor(concurrency: number, maxQueue: number, maxWaitMs: number) {
    this.concurrency = concurrency;
    this.maxQueue = maxQueue;
    this.maxWaitMs = maxWaitMs;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    if (this.#active < this.concurrency) {
      this.#active++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.maxQueue) return Promise.reject(overloaded("too many requests are queued"));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          cleanup();
          resolve();
        },
        fail: (error) => {
          cleanup();
          reject(error);
        },
      };
      const leave = (error: Error) => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        waiter.fail(error);
      };
      const timer = setTimeout(() => leave(overloaded("waited too long in the queue")), this.maxWaitMs);
      const onAbort = () => leave(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) next.start();
    else this.#active--;
  }
}
