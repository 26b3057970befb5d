import type { ServerResponse } from "node:http";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}) {
  res.writeHead(status, { "cache-control": "no-store", ...headers });
  res.end();
}

export function sendError(res: ServerResponse, status: number, error: string, message: string) {
  sendJson(res, status, { error, message });
}

/** A JSON text already serialised, with the headers of sendJson. */
export function sendJsonText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, [
    "content-type",
    "application/json; charset=utf-8",
    "content-length",
    String(Buffer.byteLength(text)),
    "cache-control",
    "no-store",
  ]);
  res.end(text);
}
