import { createHash } from "node:crypto";

/** The same deploy notice names the same rollout, so a redelivered notice cannot start a second one. */
export function rolloutIdFor(domain: string, noticeId: string): string {
  return `r${createHash("sha256").update(`${domain}\n${noticeId}`).digest("hex").slice(0, 11)}`;
}
