import { ScissorsError } from "./errors.ts";

export const uriTooLong = (message: string) => new ScissorsError(414, "uri_too_long", message);
export const bodyTooLarge = (message: string) => new ScissorsError(413, "body_too_large", message);

export interface RequestHead {
  /** The request target as Node hands it over: one character per byte of the request line. */
  target: string;
  contentLength?: string;
  transferEncoding?: string;
}

/**
 * Refuses what the service would otherwise read in full before looking at it. The request target (path
 * and query, where an absolute source URL and the signature also live) is bounded by `maxUrlBytes`; Node's
 * own header limit (16 KiB) answers 431 above that. Scissors reads no request body, so any body, declared
 * or chunked, gets 413 and is never read.
 */
export function checkRequestHead(head: RequestHead, maxUrlBytes: number): void {
  if (head.target.length > maxUrlBytes) {
    throw uriTooLong(`request target is ${head.target.length} bytes, more than ${maxUrlBytes}`);
  }
  const declared = head.contentLength === undefined ? 0 : Number(head.contentLength);
  if (declared > 0 || Number.isNaN(declared) || head.transferEncoding !== undefined) {
    throw bodyTooLarge("request bodies are not accepted (limit 0 bytes)");
  }
}
