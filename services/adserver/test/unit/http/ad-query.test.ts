import { describe, expect, it } from "vitest";
import { parseAdQuery } from "../../../src/http/ad-query.ts";

const parse = (query: string) => parseAdQuery(query);

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
    ["slot=mpu&slot&uid=u&device=mobile&country=JP", "slot is given 2 times"],
    ["slot=&uid=u&device=mobile&country=JP", "slot must be 1-64 characters of A-Z a-z 0-9 _ . -"],
    ["slot=mpu&uid=u&device=mobile&country=J%50%", "country must be an ISO 3166-1 alpha-2 code, e.g. JP"],
    [
      "uid=&uid=x&device=ctv&size=0x0",
      'slot is required; uid is given 2 times; country is required; size must be "WIDTHxHEIGHT", e.g. 300x250',
    ],
  ])("rejects %s", (query, message) => {
    expect(parse(query)).toEqual({ ok: false, message });
  });

  it("decodes percent-escapes and + as URLSearchParams does", () => {
    expect(parse("slot=mp%75&uid=a%3Ab&device=Mobil%65&country=%6Ap&size=300%78250&x=%zz+1")).toEqual({
      ok: true,
      value: { slot: "mpu", uid: "a:b", device: "mobile", country: "JP", size: "300x250" },
    });
    expect(parse("slot=a+b&uid=u&device=mobile&country=JP")).toEqual({
      ok: false,
      message: "slot must be 1-64 characters of A-Z a-z 0-9 _ . -",
    });
  });

  it("splits on & and = as URLSearchParams does", () => {
    // An unknown parameter with a %-escape sends the same query through URLSearchParams instead.
    const queries = [
      "&&slot=mpu&&uid=u=1&device=tablet&country=de&",
      "slot=mpu&uid=u&device=ctv&country=FR&=x&size",
      "slot=mpu&uid&device=ctv&country=FR",
      "slot=mpu&uid=u&device=ctv&country=FR&slot=",
      "=&==&slot==mpu&uid=u&device=ctv&country=FR",
    ];
    for (const query of queries) expect(parse(query)).toEqual(parse(`${query}&cb=%20`));
    expect(parse(queries[0] as string)).toEqual({
      ok: false,
      message: "uid must be 1-128 characters of A-Z a-z 0-9 _ . : -",
    });
  });
});
