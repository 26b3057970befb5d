import http from "node:http";

export interface LoadResult {
  requests: number;
  failed: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  meanBytes: number;
}

export function summarise(latencies: number[], failed: number, bytes: number, seconds: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: sorted.length,
    failed,
    seconds: round(seconds),
    rps: round(sorted.length / seconds),
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    meanBytes: Math.round(bytes / Math.max(1, sorted.length)),
  };
}

/** One keep-alive HTTP client per load run: GETs an image and counts its bytes, as a browser would read it. */
export function loadClient(concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const get = (url: string) =>
    new Promise<{ ok: boolean; size: number }>((resolve) => {
      const req = http.get(url, { agent, headers: { accept: "image/jpeg" } }, (res) => {
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
        });
        res.on("end", () => resolve({ ok: res.statusCode === 200, size }));
      });
      req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
      req.on("error", () => resolve({ ok: false, size: 0 }));
    });
  return { get, close: () => agent.destroy() };
}

/**
 * A closed loop: `concurrency` keep-alive connections, each sending the next URL as soon as the last answer
 * arrived, for `durationMs`. Loopback only, bounded in time; it stops by itself.
 */
export async function runLoad(urls: string[], concurrency: number, durationMs: number): Promise<LoadResult> {
  const client = loadClient(concurrency);
  const latencies: number[] = [];
  let failed = 0;
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const { ok, size } = await client.get(urls[next++ % urls.length] as string);
      if (ok) {
        latencies.push(performance.now() - t0);
        bytes += size;
      } else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  client.close();
  return summarise(latencies, failed, bytes, (performance.now() - started) / 1000);
}
