import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBeacon, verifyBeacon } from "../../../src/serving/beacon-token.ts";

const secret = "0123456789abcdef";
const claims = { campaignId: "c1", creativeId: "cr1", uid: "user:42", servedAt: 1_900_000_000 };

/** The tag, computed independently of the module: 132 bits of SHA-256(K ‖ "~" ‖ fields). */
function expectedTag(fields: string, key = secret): string {
  const k = createHash("sha256").update(`harbormaster adserver beacon v2\0${key}`).digest("base64url");
  return createHash("sha256").update(`${k}~${fields}`).digest("base64url").slice(0, 22);
}

describe("beacon tokens", () => {
  it("round-trips the claims", () => {
    expect(verifyBeacon(signBeacon(claims, secret), secret, claims.servedAt + 10, 3600)).toEqual(claims);
  });

  it("is the plain fields and a 132-bit keyed SHA-256 tag, needing no escaping in a URL or JSON", () => {
    const token = signBeacon(claims, secret);
    expect(token).toBe(`c1~cr1~user:42~1900000000~${expectedTag("c1~cr1~user:42~1900000000")}`);
    expect(token).toMatch(/^[\w.:~-]+$/);
    expect(encodeURIComponent(token).replaceAll("%3A", ":")).toBe(token);
  });

  it("rejects a token signed with another secret", () => {
    expect(verifyBeacon(signBeacon(claims, "another-secret-xx"), secret, claims.servedAt, 3600)).toBeUndefined();
  });

  it("rejects a token whose fields were changed", () => {
    const tag = signBeacon(claims, secret).split("~").at(-1);
    for (const fields of ["c2~cr1~user:42~1900000000", "c1~cr1~user:43~1900000000", "c1~cr1~user:42~1900000001"])
      expect(verifyBeacon(`${fields}~${tag}`, secret, claims.servedAt, 3600)).toBeUndefined();
  });

  it("rejects a forged tag, a truncated one, and the full digest", () => {
    const fields = "c1~cr1~user:42~1900000000";
    const tag = expectedTag(fields);
    const flipped = `${tag.slice(0, -1)}${tag.endsWith("A") ? "B" : "A"}`;
    expect(verifyBeacon(`${fields}~${flipped}`, secret, claims.servedAt, 3600)).toBeUndefined();
    expect(verifyBeacon(`${fields}~${tag.slice(0, 21)}`, secret, claims.servedAt, 3600)).toBeUndefined();
    const k = createHash("sha256").update(`harbormaster adserver beacon v2\0${secret}`).digest("base64url");
    const full = createHash("sha256").update(`${k}~${fields}`).digest("base64url");
    expect(verifyBeacon(`${fields}~${full}`, secret, claims.servedAt, 3600)).toBeUndefined();
  });

  it("rejects an appended field, even with a tag over it", () => {
    const fields = "c1~cr1~user:42~1900000000~extra";
    expect(verifyBeacon(`${fields}~${expectedTag(fields)}`, secret, claims.servedAt, 3600)).toBeUndefined();
  });

  it("still verifies the earlier HMAC format until it expires, and refuses it forged", () => {
    const payload = Buffer.from("c1~cr1~user:42~1900000000").toString("base64url");
    const mac = (key: string) =>
      createHmac("sha256", key).update(payload).digest().subarray(0, 16).toString("base64url");
    expect(verifyBeacon(`${payload}.${mac(secret)}`, secret, claims.servedAt + 10, 3600)).toEqual(claims);
    expect(verifyBeacon(`${payload}.${mac(secret)}`, secret, claims.servedAt + 3601, 3600)).toBeUndefined();
    expect(verifyBeacon(`${payload}.${mac("another-secret-xx")}`, secret, claims.servedAt, 3600)).toBeUndefined();
  });

  it("rejects an expired or garbled token", () => {
    const token = signBeacon(claims, secret);
    expect(verifyBeacon(token, secret, claims.servedAt + 3601, 3600)).toBeUndefined();
    expect(verifyBeacon("not-a-token", secret, claims.servedAt, 3600)).toBeUndefined();
    expect(verifyBeacon(`${token}.x`, secret, claims.servedAt, 3600)).toBeUndefined();
    expect(verifyBeacon("", secret, claims.servedAt, 3600)).toBeUndefined();
  });
});
