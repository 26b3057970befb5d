import { describe, expect, it } from "vitest";
import { parseAdQuery } from "../../../src/http/ad-query.ts";

const parse = (query: string) => parseAdQuery(new URLSearchParams(query));

describe("parseAdQuery", () => {
  it("parses a valid request, normalising case and ignoring unknown parameters", () => {
    expect(parse("slot=mpu&uid=abc-1&device=Mobile&country=jp&cb=123")).toEqual({
      ok: true,
      value: { slot: "mpu", uid: "abc-1", device: "mobile", country: "JP" },
    });
  });

  it("takes an optional size", () => {
    const parsed = parse("slot=mpu&uid=u&device=desktop&country=US&size=728x90");
    expect(parsed.ok && parsed.value.size).toBe("728x90");
  });

  it("names every missing parameter", () => {
    expect(parse("")).toEqual({
      ok: false,
      message: "slot is required; uid is required; device is required; country is required",
    });
  });

  it.each([
    ["slot=a%20b&uid=u&device=mobile&country=JP", "slot must be 1-64 characters of A-Z a-z 0-9 _ . -"],
    ["slot=mpu&uid=u~1&device=mobile&country=JP", "uid must be 1-128 characters of A-Z a-z 0-9 _ . : -"],
    ["slot=mpu&uid=u&device=phone&country=JP", "device must be one of desktop, mobile, tablet, ctv"],
    ["slot=mpu&uid=u&device=mobile&country=JPN", "country must be an ISO 3166-1 alpha-2 code, e.g. JP"],
    ["slot=mpu&uid=u&device=mobile&country=JP&size=big", 'size must be "WIDTHxHEIGHT", e.g. 300x250'],
    ["slot=mpu&slot=top&uid=u&device=mobile&country=JP", "slot is given 2 times"],
  ])("rejects %s", (query, message) => {
    expect(parse(query)).toEqual({ ok: false, message });
  });
});
