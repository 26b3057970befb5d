// How long each call to the AWS emulator took, by operation, for the calls sent in the first 15 s (the
// cordons): the receives, DescribeInstances, the hand-overs. The SDK's requests go through node's http
// client, which publishes each request and response on diagnostics channels; the operation is in the
// X-Amz-Target header (SQS's JSON protocol) or the Action parameter (EC2's query protocol).
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";

const phaseMs = 15_000;

export function timeAwsCalls(host: string) {
  const since = performance.now();
  const started = new WeakMap<ClientRequest, { operation: string; at: number }>();
  const chunks = new WeakMap<ClientRequest, string>();
  const latencies = new Map<string, number[]>();
  const onStart = (message: unknown) => {
    const { request: req } = message as { request: ClientRequest };
    if (String(req.getHeader("host") ?? "") !== host) return;
    const at = performance.now();
    if (at - since > phaseMs) return;
    const target = String(req.getHeader("x-amz-target") ?? "");
    started.set(req, { operation: target.split(".").pop() ?? "", at });
    if (!target) {
      // The query protocol's body carries Action=...; the SDK hands it to end() (or write()).
      for (const method of ["write", "end"] as const) {
        const original = req[method].bind(req) as (...args: unknown[]) => unknown;
        (req as unknown as Record<string, unknown>)[method] = (chunk: unknown, ...rest: unknown[]) => {
          if (chunk && typeof chunk !== "function" && !chunks.has(req)) chunks.set(req, String(chunk));
          return original(chunk, ...rest);
        };
      }
    }
  };
  const onFinish = (message: unknown) => {
    const { request: req } = message as { request: ClientRequest };
    const call = started.get(req);
    if (!call) return;
    const operation = call.operation || /Action=(\w+)/.exec(chunks.get(req) ?? "")?.[1] || "other";
    const list = latencies.get(operation) ?? [];
    list.push(performance.now() - call.at);
    latencies.set(operation, list);
  };
  subscribe("http.client.request.start", onStart);
  subscribe("http.client.response.finish", onFinish);
  return {
    /** By operation: how many calls, and their p50 and p90 in ms. */
    stop(): Record<string, { calls: number; p50: number; p90: number }> {
      unsubscribe("http.client.request.start", onStart);
      unsubscribe("http.client.response.finish", onFinish);
      const out: Record<string, { calls: number; p50: number; p90: number }> = {};
      for (const [operation, values] of latencies) {
        const sorted = values.sort((a, b) => a - b);
        const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
        out[operation] = { calls: sorted.length, p50: at(0.5), p90: at(0.9) };
      }
      return out;
    },
  };
}
