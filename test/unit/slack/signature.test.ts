import { describe, expect, it } from "vitest";
import { signatureOf, verifySignature } from "../../../functions/core/slack/signature.ts";

// Slack's documented example: https://api.slack.com/authentication/verifying-requests-from-slack
const secret = "8f742231b10e8888abcd99yyyzzz85a5";
const body =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const timestamp = "1531420618";
const now = 1531420618 * 1000;

describe("v0 request signatures", () => {
  it("computes Slack's documented example signature", () => {
    expect(signatureOf(secret, timestamp, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it("accepts the example within the window", () => {
    const signature = signatureOf(secret, timestamp, body);
    expect(verifySignature(secret, { rawBody: body, timestamp, signature }, now + 299_000)).toEqual({ ok: true });
  });

  it.each([
    [
      "a different secret",
      { signature: signatureOf("another-secret-of-some-length", timestamp, body) },
      "signature does not match",
    ],
    [
      "a truncated signature",
      { signature: signatureOf(secret, timestamp, body).slice(0, 20) },
      "signature does not match",
    ],
    ["no signature", { signature: undefined }, "missing or malformed signature"],
    ["a v1 signature", { signature: "v1=abc" }, "missing or malformed signature"],
    ["no timestamp", { timestamp: undefined }, "missing or malformed timestamp"],
    ["a timestamp that is not a number", { timestamp: "soon" }, "missing or malformed timestamp"],
  ])("rejects %s", (_, change, reason) => {
    const request = { rawBody: body, timestamp, signature: signatureOf(secret, timestamp, body), ...change };
    expect(verifySignature(secret, request, now)).toEqual({ ok: false, reason });
  });

  it("rejects a timestamp more than five minutes old or ahead, even when signed", () => {
    const signature = signatureOf(secret, timestamp, body);
    const request = { rawBody: body, timestamp, signature };
    expect(verifySignature(secret, request, now + 301_000)).toEqual({
      ok: false,
      reason: "timestamp outside the 5-minute window",
    });
    expect(verifySignature(secret, request, now - 301_000)).toEqual({
      ok: false,
      reason: "timestamp outside the 5-minute window",
    });
  });
});
