// Size limits, checked before anything of a request is parsed. A valid ad query is about 200 bytes and a
// beacon posts next to nothing; the limits leave room for cache busters and tracking parameters, and keep a
// hostile request from costing more than an honest one. (Node refuses request lines and headers over
// 16 KB by itself, with 431.)
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendError } from "./responses.ts";

export const maxQueryBytes = 4096;
export const maxBeaconBodyBytes = 4096;

/** Answers 414 for a query string over the limit; the URL is read as latin1, one character per byte. */
export function refuseLongQuery(res: ServerResponse, query: string): boolean {
  if (query.length <= maxQueryBytes) return false;
  sendError(res, 414, "uri_too_long", `the query string may be at most ${maxQueryBytes} bytes`);
  return true;
}

/**
 * Throws a beacon's body away unread, up to the limit. A body declared larger is refused with 413 before any
 * of it is read; one that turns out larger (chunked) ends its connection.
 */
export function discardBeaconBody(req: IncomingMessage, res: ServerResponse): boolean {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBeaconBodyBytes) {
    res.setHeader("connection", "close");
    sendError(res, 413, "payload_too_large", `a beacon body may be at most ${maxBeaconBodyBytes} bytes`);
    return false;
  }
  let received = 0;
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBeaconBodyBytes) req.destroy();
  });
  req.resume();
  return true;
}
