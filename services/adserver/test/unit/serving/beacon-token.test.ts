import { describe, expect, it } from "vitest";
import { signBeacon, verifyBeacon } from "../../../src/serving/beacon-token.ts";

const secret = "0123456789abcdef";
const claims = { campaignId: "c1", creativeId: "cr1", uid: "user:42", servedAt: 1_900_000_000 };

describe("beacon tokens", () => {
  it("round-trips the claims", () => {
    expect(verifyBeacon(signBeacon(claims, secret), secret, claims.servedAt + 10, 3600)).toEqual(claims);
  });

  it("rejects a token signed with another secret", () => {
    expect(verifyBeacon(signBeacon(claims, "another-secret-xx"), secret, claims.servedAt, 3600)).toBeUndefined();
  });

  it("rejects a token whose payload was changed", () => {
    const [, signature] = signBeacon(claims, secret).split(".");
    const forged = `${Buffer.from("c2~cr1~user:42~1900000000").toString("base64url")}.${signature}`;
    expect(verifyBeacon(forged, secret, claims.servedAt, 3600)).toBeUndefined();
  });

  it("rejects an expired or garbled token", () => {
    const token = signBeacon(claims, secret);
    expect(verifyBeacon(token, secret, claims.servedAt + 3601, 3600)).toBeUndefined();
    expect(verifyBeacon("not-a-token", secret, claims.servedAt, 3600)).toBeUndefined();
    expect(verifyBeacon(`${token}.x`, secret, claims.servedAt, 3600)).toBeUndefined();
  });
});
