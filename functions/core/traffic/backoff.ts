// Jittered exponential backoff ("full jitter"): retries of many writers spread out instead of colliding.
import type { Clock } from "../ports.ts";

export interface BackoffPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1)));
}

/** Runs `op` until it succeeds, `retryable` says no, or the attempts run out; the last error is thrown. */
export async function withBackoff<T>(
  op: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  policy: BackoffPolicy,
  clock: Clock,
  random: () => number,
  onRetry: (error: unknown, attempt: number) => void = () => {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt >= policy.attempts || !retryable(error)) throw error;
      onRetry(error, attempt);
      await clock.sleep(backoffDelay(attempt, policy, random));
    }
  }
}
