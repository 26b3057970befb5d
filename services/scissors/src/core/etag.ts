import { createHash } from "node:crypto";

/**
 * A strong ETag for one output: the source's identity (its bytes' hash, or its origin validator) and the
 * canonical options, format included. The same source and options give the same tag on every replica.
 */
export function resultEtag(sourceIdentity: string, canonical: string): string {
  const digest = createHash("sha256").update(sourceIdentity).update("\0").update(canonical).digest("base64url");
  return `"${digest.slice(0, 27)}"`;
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
