// What the handler asks of the apiserver during a burst, counted in this process (the handler runs in
// the benchmark's process, one handler per simulated execution environment): every HTTP request to the
// given apiservers, by verb and kind of object, and every answer by status. Node's http client publishes
// each request and response on diagnostics channels, so nothing in the handler needs to know.
//
// The apiserver's own /metrics are read as well: they count every client (controllers, scheduler, kwok,
// NTH in its own process), so they give the whole load and every 429 the apiserver sent, whoever got it.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import { request } from "node:https";
import { connectionFromKubeconfigFile } from "../../../functions/adapters/kubernetes/connection.ts";

export interface RequestCounts {
  /** Requests sent, by "VERB kind" (kind: node, node list, pod list, pod watch, eviction, pod delete, pdb list). */
  byKind: Record<string, number>;
  /** Answers, by status code (429: a budget or the apiserver refused; 409: a write lost a race). */
  byStatus: Record<string, number>;
  total: number;
  /** Latency of answered evictions (ms): p50, p90, and how many took ≥ 450 ms (the apiserver slept on a budget conflict). */
  evictionMs: { p50: number; p90: number; conflicted: number; answered: number };
  /** Latency (ms) of the node reads and writes sent in the first 15 s (the cordons), p50 and p90. */
  nodeMs: Record<string, { p50: number; p90: number }>;
}

/** The kind of object a request is about, from its path (query stripped). */
export function kindOf(method: string, path: string): string {
  const [base = "", query = ""] = path.split("?");
  const watch = /(^|&)watch=(true|1)/.test(query);
  if (base.endsWith("/eviction")) return `${method} eviction`;
  if (/\/poddisruptionbudgets$/.test(base)) return `${method} pdb list`;
  if (/\/nodes\/[^/]+$/.test(base)) return `${method} node`;
  if (/\/nodes$/.test(base)) return `${method} node ${watch ? "watch" : "list"}`;
  if (/\/pods\/[^/]+$/.test(base)) return `${method} pod`;
  if (/\/pods$/.test(base)) return `${method} pod ${watch ? "watch" : "list"}`;
  return `${method} other`;
}

const timed = new Set(["POST eviction", "GET node", "PATCH node"]);
const cordonPhaseMs = 15_000;

const quantile = (sorted: readonly number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);

/** Counts requests to `hosts` ("host:port") from now until `stop()`. */
export function countRequests(hosts: readonly string[]) {
  const wanted = new Set(hosts);
  const counts: RequestCounts = {
    byKind: {},
    byStatus: {},
    total: 0,
    evictionMs: { p50: 0, p90: 0, conflicted: 0, answered: 0 },
    nodeMs: {},
  };
  const startedAt = new WeakMap<ClientRequest, { kind: string; at: number }>();
  const latencies = new Map<string, number[]>();
  const countingSince = performance.now();
  const hostOf = (req: ClientRequest) => {
    // The Host header carries the port whenever it is not the scheme's default.
    const header = String(req.getHeader("host") ?? req.host);
    return header.includes(":") ? header : `${header}:443`;
  };
  const onStart = (message: unknown) => {
    const { request: req } = message as { request: ClientRequest };
    if (!wanted.has(hostOf(req))) return;
    const kind = kindOf(req.method, req.path);
    if (timed.has(kind)) startedAt.set(req, { kind, at: performance.now() });
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    counts.total++;
  };
  const onFinish = (message: unknown) => {
    const { request: req, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (!wanted.has(hostOf(req))) return;
    const code = String(response.statusCode ?? 0);
    counts.byStatus[code] = (counts.byStatus[code] ?? 0) + 1;
    const started = startedAt.get(req);
    if (started === undefined) return;
    if (started.kind !== "POST eviction" && started.at - countingSince > cordonPhaseMs) return;
    const list = latencies.get(started.kind) ?? [];
    list.push(performance.now() - started.at);
    latencies.set(started.kind, list);
  };
  subscribe("http.client.request.start", onStart);
  subscribe("http.client.response.finish", onFinish);
  return {
    counts,
    stop(): RequestCounts {
      unsubscribe("http.client.request.start", onStart);
      unsubscribe("http.client.response.finish", onFinish);
      const sorted = (kind: string) => (latencies.get(kind) ?? []).sort((a, b) => a - b);
      const evictions = sorted("POST eviction");
      counts.evictionMs = {
        p50: quantile(evictions, 0.5),
        p90: quantile(evictions, 0.9),
        conflicted: evictions.filter((ms) => ms >= 450).length,
        answered: evictions.length,
      };
      for (const kind of ["GET node", "PATCH node"]) {
        const node = sorted(kind);
        if (node.length) counts.nodeMs[kind] = { p50: quantile(node, 0.5), p90: quantile(node, 0.9) };
      }
      return counts;
    },
  };
}

/** "host:port" of the apiserver a kubeconfig names. */
export function apiserverHost(kubeconfigPath: string): string {
  const url = new URL(connectionFromKubeconfigFile(kubeconfigPath).server);
  return `${url.hostname}:${url.port || "443"}`;
}

/** The apiserver's request counters for every client: total, and 429s by verb and resource. */
export interface ServerCounts {
  total: number;
  throttled: number;
  /** 429s by "VERB resource/subresource". */
  throttledBy: Record<string, number>;
}

export async function serverCounts(kubeconfigPath: string): Promise<ServerCounts> {
  const text = await metricsText(kubeconfigPath);
  const counts: ServerCounts = { total: 0, throttled: 0, throttledBy: {} };
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    counts.total += value;
    if (labels.code !== "429") continue;
    counts.throttled += value;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ""}`;
    counts.throttledBy[key] = (counts.throttledBy[key] ?? 0) + value;
  }
  return counts;
}

export function serverDelta(after: ServerCounts, before: ServerCounts): ServerCounts {
  const throttledBy: Record<string, number> = {};
  for (const [key, value] of Object.entries(after.throttledBy)) {
    const delta = value - (before.throttledBy[key] ?? 0);
    if (delta > 0) throttledBy[key] = delta;
  }
  return { total: after.total - before.total, throttled: after.throttled - before.throttled, throttledBy };
}

function metricsText(kubeconfigPath: string): Promise<string> {
  const connection = connectionFromKubeconfigFile(kubeconfigPath);
  return new Promise((resolve, reject) => {
    const req = request(
      `${connection.server}/metrics`,
      {
        ca: connection.ca,
        cert: connection.cert,
        key: connection.key,
        rejectUnauthorized: connection.rejectUnauthorized,
        headers: connection.headers,
        timeout: 10_000,
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () =>
          response.statusCode === 200 ? resolve(text) : reject(new Error(`/metrics: HTTP ${response.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}
