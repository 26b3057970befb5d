// Real requests against the local Scissors and ad server while a scenario plays: what users would see.
export interface LoadResult {
  target: string;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Requests `url` from `concurrency` loops until stopped; bounded, loopback only. */
export function startLoad(target: string, url: string, concurrency = 2) {
  let running = true;
  const latencies: number[] = [];
  let errors = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        if (response.status >= 500) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
      // A steady trickle, not a benchmark: the machine is shared.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    async stop(): Promise<LoadResult> {
      running = false;
      await Promise.all(loops);
      const sorted = latencies.sort((a, b) => a - b);
      return { target, requests: sorted.length, errors, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
    },
  };
}
