// Beacon URLs carry a signed token naming what was served, so a beacon cannot be forged for any campaign.
//
// The token is `<campaign>~<creative>~<uid>~<served at>~<tag>`. The fields are plain text: ids and uids are
// of characters that need no escaping in a URL or in JSON, and never contain `~` (see the catalog and query
// rules). The tag is the first 132 bits (22 base64url characters) of SHA-256(K ‖ "~" ‖ fields), where K is a
// fixed-length key derived from the secret. One hash call per serve, where HMAC takes two.
//
// Why a keyed prefix hash is safe here: the known weakness of SHA-256(key ‖ message) is length extension,
// which needs the whole 256-bit digest to resume hashing from. The token shows 132 bits of it; the other
// 124 bits would have to be guessed (the reason SHA-512/256 and SHA-384 resist length extension). An
// extension would also have to carry SHA-256's padding bytes (0x80, 0x00, a length), which the strict field
// rules refuse. K is derived with a fixed length, so no two (key, message) splits give the same input.
import { createHmac, hash, timingSafeEqual } from "node:crypto";

export interface BeaconClaims {
  campaignId: string;
  creativeId: string;
  uid: string;
  /** Seconds since the epoch when the ad was served. */
  servedAt: number;
}

const SEPARATOR = "~";
const TAG_CHARS = 22;
const keys = new Map<string, string>();

export function signBeacon(claims: BeaconClaims, secret: string): string {
  const fields = `${claims.campaignId}~${claims.creativeId}~${claims.uid}~${claims.servedAt}`;
  return `${fields}~${tag(fields, secret)}`;
}

/** The token's claims, or undefined when it is malformed, forged, or older than `maxAgeSeconds`. */
export function verifyBeacon(
  token: string,
  secret: string,
  nowSeconds: number,
  maxAgeSeconds: number,
): BeaconClaims | undefined {
  const cut = token.lastIndexOf(SEPARATOR);
  if (cut === -1) return verifyLegacy(token, secret, nowSeconds, maxAgeSeconds);
  const fields = token.slice(0, cut);
  const given = Buffer.from(token.slice(cut + 1));
  const expected = Buffer.from(tag(fields, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const [campaignId, creativeId, uid, servedAtText, more] = fields.split(SEPARATOR);
  const servedAt = Number(servedAtText);
  if (!campaignId || !creativeId || !uid || more !== undefined || !/^\d{1,12}$/.test(servedAtText ?? ""))
    return undefined;
  return fresh({ campaignId, creativeId, uid, servedAt }, nowSeconds, maxAgeSeconds);
}

function fresh(claims: BeaconClaims, nowSeconds: number, maxAgeSeconds: number): BeaconClaims | undefined {
  if (nowSeconds - claims.servedAt > maxAgeSeconds || claims.servedAt - nowSeconds > 300) return undefined;
  return claims;
}

/**
 * The earlier format, `base64url(fields).base64url(HMAC-SHA256 truncated to 128 bits)`, still verified so that
 * ads served before a deploy keep their beacons until they expire. Never issued any more.
 */
function verifyLegacy(token: string, secret: string, nowSeconds: number, maxAgeSeconds: number) {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = createHmac("sha256", secret).update(payload).digest().subarray(0, 16);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const [campaignId, creativeId, uid, servedAtText, more] = Buffer.from(payload, "base64url").toString().split("~");
  const servedAt = Number(servedAtText);
  if (!campaignId || !creativeId || !uid || more !== undefined || !Number.isInteger(servedAt)) return undefined;
  return fresh({ campaignId, creativeId, uid, servedAt }, nowSeconds, maxAgeSeconds);
}

function tag(fields: string, secret: string): string {
  let key = keys.get(secret);
  if (key === undefined) {
    // 43 base64url characters, whatever the secret's length; domain-separated from any other use of it.
    key = hash("sha256", `harbormaster adserver beacon v2\0${secret}`, "base64url");
    keys.set(secret, key);
  }
  return hash("sha256", `${key}~${fields}`, "base64url").slice(0, TAG_CHARS);
}
