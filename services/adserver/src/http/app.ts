// Routing and readiness. /ping turns 503 the moment shutdown starts so the load balancer stops sending.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../ops/logger.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { adHandler } from "./ad-handler.ts";
import type { beaconHandler } from "./beacon-handler.ts";
import { discardBeaconBody, refuseLongQuery } from "./limits.ts";
import { sendEmpty, sendError } from "./responses.ts";

export interface AppDeps {
  ad: ReturnType<typeof adHandler>;
  beacon: ReturnType<typeof beaconHandler>;
  metrics: Metrics;
  log: Logger;
  /** Ready: a catalog is loaded and shutdown has not begun. */
  ready: () => boolean;
  draining: () => boolean;
}

const requestIdPattern = /^[A-Za-z0-9_.:-]{1,64}$/;
const processTag = Math.random().toString(36).slice(2, 8);
let sequence = 0;

export function createApp(deps: AppDeps) {
  return function app(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? "" : url.slice(q + 1);
    const requestId = givenRequestId(req.rawHeaders) ?? `${processTag}-${(sequence++).toString(36)}`;
    // Keep-alive clients learn to move to another pod while this one drains.
    if (deps.draining()) res.setHeader("connection", "close");

    try {
      if (path === "/v1/ad") {
        if (req.method !== "GET") return sendError(res, 405, "method_not_allowed", "use GET");
        if (refuseLongQuery(res, query)) return;
        // A promise only when the decision waits on Redis; a warm request is answered before this returns.
        deps.ad(req, res, query, requestId)?.catch((error: unknown) => answerAfterFailure(res, error, requestId));
        return;
      }
      if (path === "/v1/beacon") {
        if (req.method !== "GET" && req.method !== "POST")
          return sendError(res, 405, "method_not_allowed", "use GET or POST");
        if (refuseLongQuery(res, query)) return;
        // sendBeacon posts a body we do not need
        if (!discardBeaconBody(req, res)) return;
        return deps.beacon(res, new URLSearchParams(query));
      }
      if (path === "/ping") return sendEmpty(res, deps.ready() ? 200 : 503);
      if (path === "/metrics") {
        deps.metrics.text().then(
          (text) => {
            res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
            res.end(text);
          },
          (error: unknown) => answerAfterFailure(res, error, requestId),
        );
        return;
      }
      sendError(res, 404, "not_found", `no route for ${path}`);
    } catch (error) {
      answerAfterFailure(res, error, requestId);
    }
  };

  // A bug must still not become a 5xx for a page showing ads: the slot stays empty instead.
  function answerAfterFailure(res: ServerResponse, error: unknown, requestId: string) {
    deps.log.error("request failed", { requestId, error });
    if (!res.headersSent) sendEmpty(res, 204);
    else res.destroy();
  }
}

/**
 * The caller's X-Request-Id when it is one well-formed value. Read from the raw headers: `req.headers` builds
 * an object of every header on first use, which a request that needs one header need not pay for.
 */
function givenRequestId(raw: string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 12 || name.toLowerCase() !== "x-request-id") continue;
    // Given twice, Node would join the values with ", ", which the pattern refuses: so do we.
    if (found !== undefined) return undefined;
    found = raw[i + 1] as string;
  }
  return found !== undefined && requestIdPattern.test(found) ? found : undefined;
}
