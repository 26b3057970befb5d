import { describe, expect, it } from "vitest";
import { matchesIfNoneMatch, originIdentity, resultEtag } from "../../src/core/etag.ts";
import { negotiateFormat } from "../../src/core/negotiate.ts";
import { sniffFormat } from "../../src/core/sniff.ts";

const bytes = (...values: (number | string)[]) =>
  Buffer.concat(values.map((v) => (typeof v === "string" ? Buffer.from(v, "latin1") : Buffer.from([v]))));

describe("sniffFormat", () => {
  it("names formats by their first bytes", () => {
    expect(sniffFormat(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe("jpeg");
    expect(sniffFormat(bytes(0x89, "PNG\r\n", 0x1a, "\n"))).toBe("png");
    expect(sniffFormat(bytes("GIF89a"))).toBe("gif");
    expect(sniffFormat(bytes("RIFF\0\0\0\0WEBPVP8 "))).toBe("webp");
    expect(sniffFormat(bytes("\0\0\0\x1cftypavif"))).toBe("avif");
    expect(sniffFormat(bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'))).toBe("svg");
  });

  it("refuses what no allowed loader should see", () => {
    expect(sniffFormat(bytes("II*\0"))).toBeUndefined(); // TIFF
    expect(sniffFormat(bytes("%PDF-1.7"))).toBeUndefined();
    expect(sniffFormat(bytes("<html><body>"))).toBeUndefined();
    expect(sniffFormat(bytes(""))).toBeUndefined();
  });
});

describe("negotiateFormat", () => {
  it("keeps the source's format when none is asked for, without Vary", () => {
    expect(negotiateFormat(undefined, "webp", "image/avif")).toEqual({ format: "webp", varies: false });
    expect(negotiateFormat(undefined, "svg", "")).toEqual({ format: "png", varies: false });
  });

  it("follows Accept for auto, preferring AVIF, then WebP, and says it varies", () => {
    expect(negotiateFormat("auto", "jpeg", "image/avif,image/webp,*/*")).toEqual({ format: "avif", varies: true });
    expect(negotiateFormat("auto", "jpeg", "image/avif;q=0,image/webp")).toEqual({ format: "webp", varies: true });
    expect(negotiateFormat("auto", "jpeg", "image/*,*/*;q=0.8")).toEqual({ format: "jpeg", varies: true });
  });
});

describe("ETags", () => {
  it("differ by source and by options, and match If-None-Match lists", () => {
    const tag = resultEtag("source-a", "w=1");
    expect(resultEtag("source-a", "w=1")).toBe(tag);
    expect(resultEtag("source-b", "w=1")).not.toBe(tag);
    expect(resultEtag("source-a", "w=2")).not.toBe(tag);
    expect(matchesIfNoneMatch(`"x", W/${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch('"x"', tag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
  });
});

describe("originIdentity", () => {
  const url = "https://cdn.example.com/a.jpg";
  it("takes a strong ETag, never a weak one", () => {
    expect(originIdentity(url, { etag: '"abc"' }, 10)).toBe(`${url} "abc"`);
    expect(originIdentity(url, { etag: 'W/"abc"' }, 10)).toBeUndefined();
  });
  it("takes Last-Modified with the length only when it is a minute older than Date", () => {
    const old = { "last-modified": "Mon, 23 Nov 2026 10:00:00 GMT", date: "Mon, 23 Nov 2026 10:01:00 GMT" };
    expect(originIdentity(url, old, 10)).toBe(`${url} ${old["last-modified"]} 10`);
    expect(originIdentity(url, old, 11)).not.toBe(originIdentity(url, old, 10));
    const fresh = { ...old, date: "Mon, 23 Nov 2026 10:00:59 GMT" };
    expect(originIdentity(url, fresh, 10)).toBeUndefined();
    expect(originIdentity(url, { "last-modified": old["last-modified"] }, 10)).toBeUndefined();
    expect(originIdentity(url, {}, 10)).toBeUndefined();
  });
});
