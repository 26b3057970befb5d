// Slack's v0 request signature: HMAC-SHA256 over "v0:<timestamp>:<raw body>" with the app's signing secret.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack's own advice: refuse requests whose timestamp is more than five minutes from now. */
export const replayWindowSeconds = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export interface SignedRequest {
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

export function signatureOf(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

/** Checks the signature and the timestamp window. `nowMs` comes from the caller: core has no clock. */
export function verifySignature(secret: string, request: SignedRequest, nowMs: number): SignatureCheck {
  const { timestamp, signature } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "missing or malformed timestamp" };
  if (!signature?.startsWith("v0=")) return { ok: false, reason: "missing or malformed signature" };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > replayWindowSeconds)
    return { ok: false, reason: "timestamp outside the 5-minute window" };
  const expected = Buffer.from(signatureOf(secret, timestamp, request.rawBody));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; the length of a v0 signature is public, so this leaks nothing.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "signature does not match" };
  return { ok: true };
}
