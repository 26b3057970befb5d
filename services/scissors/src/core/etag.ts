import { createHash } from "node:crypto";

/**
 * A strong ETag for one output: the source's identity (its bytes' hash, or its origin validator) and the
 * canonical options, format included. The same source and options give the same tag on every replica.
 */
export function resultEtag(sourceIdentity: string, canonical: string): string {
  const digest = createHash("sha256").update(sourceIdentity).update("\0").update(canonical).digest("base64url");
  return `"${digest.slice(0, 27)}"`;
}

/**
 * The source's identity from its origin's validators, when they are strong enough to stand for its bytes:
 * a strong ETag, or else a Last-Modified at least 60 s older than the response's Date (RFC 9110 8.8.2.2;
 * a file changed twice within that second could otherwise keep its date), with the length. Undefined when
 * only hashing the bytes will do.
 */
export function originIdentity(
  url: string,
  headers: { etag?: string; "last-modified"?: string; date?: string },
  length: number,
): string | undefined {
  const { etag } = headers;
  if (etag && !etag.startsWith("W/")) return `${url} ${etag}`;
  const modified = Date.parse(headers["last-modified"] ?? "");
  const date = Date.parse(headers.date ?? "");
  if (date - modified >= 60_000) return `${url} ${headers["last-modified"]} ${length}`;
  return undefined;
}

export function contentIdentity(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64url");
}

/** True when If-None-Match names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === bare);
}
