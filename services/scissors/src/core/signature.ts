import { createHmac, timingSafeEqual } from "node:crypto";

/** The message a signature covers: the path and every query parameter but `sig`, in the order given. */
export function signedMessage(path: string, params: URLSearchParams): string {
  const rest = new URLSearchParams([...params].filter(([name]) => name !== "sig"));
  const query = rest.toString();
  return query ? `${path}?${query}` : path;
}

export function sign(key: string, path: string, params: URLSearchParams): string {
  return createHmac("sha256", key).update(signedMessage(path, params)).digest("base64url");
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks `sig` against every configured key, so a new key can be added before clients switch to it and an
 * old one removed after. `expires` (Unix seconds), when present, is covered by the signature.
 */
export function verifySignature(
  keys: readonly string[],
  path: string,
  params: URLSearchParams,
  nowSeconds: number,
): SignatureCheck {
  const given = params.get("sig");
  if (!given) return { ok: false, reason: "missing signature (sig)" };
  if (params.getAll("sig").length > 1) return { ok: false, reason: "sig is given more than once" };
  const expires = params.get("expires");
  if (expires !== null) {
    if (!/^\d{1,12}$/.test(expires)) return { ok: false, reason: "expires must be Unix seconds" };
    if (Number(expires) < nowSeconds) return { ok: false, reason: "signed URL has expired" };
  }
  const givenBytes = Buffer.from(given, "base64url");
  for (const key of keys) {
    const expected = createHmac("sha256", key).update(signedMessage(path, params)).digest();
    if (givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected)) return { ok: true };
  }
  return { ok: false, reason: "invalid signature" };
}
