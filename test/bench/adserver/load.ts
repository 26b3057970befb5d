// One bounded autocannon run on loopback. Request paths are drawn per request: a pool of known users
// (their counters cached) and, for a given share, users never seen before (a Redis read each).
import autocannon from "autocannon";
import { COUNTRIES, DEVICES, SLOTS } from "./catalog.ts";

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Share of requests from users never seen before. */
  newUserShare: number;
  knownUsers: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

let newUsers = 0;

export function adPath(user: string, n: number): string {
  const slot = n % SLOTS;
  const device = DEVICES[n % DEVICES.length];
  const country = COUNTRIES[(n >> 2) % COUNTRIES.length];
  return `/v1/ad?slot=slot-${slot}&uid=${user}&device=${device}&country=${country}`;
}

export function knownUser(i: number): string {
  return `known-${i}`;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 2,
    requests: [
      {
        method: "GET",
        setupRequest(request) {
          n++;
          const fresh = Math.random() < options.newUserShare;
          const user = fresh
            ? `new-${process.pid}-${newUsers++}`
            : knownUser(Math.floor(Math.random() * options.knownUsers));
          return { ...request, path: adPath(user, n) };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
