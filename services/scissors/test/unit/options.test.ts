import { describe, expect, it } from "vitest";
import { ScissorsError } from "../../src/core/errors.ts";
import { canonicalOptions, parseOptions, targetSize } from "../../src/core/options.ts";

const limits = { maxDimension: 4096 };
const presets = { thumb: { width: 120, height: 120, fit: "cover" as const, format: "auto" as const } };
const parse = (query: string) => parseOptions(new URLSearchParams(query), presets, limits);

function rejection(query: string): string {
  try {
    parse(query);
  } catch (error) {
    expect(error).toBeInstanceOf(ScissorsError);
    expect((error as ScissorsError).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error(`"${query}" was accepted`);
}

describe("parseOptions", () => {
  it("reads Hatena's width, height and quality, and the short aliases", () => {
    expect(parse("width=300&height=200&quality=70")).toMatchObject({ width: 300, height: 200, quality: 70 });
    expect(parse("w=300&h=200&q=70&f=jpg&g=nw")).toMatchObject({
      width: 300,
      height: 200,
      quality: 70,
      format: "jpeg",
      gravity: "northwest",
    });
  });

  it("defaults to cover from the centre at dpr 1", () => {
    expect(parse("")).toEqual({ fit: "cover", gravity: "center", dpr: 1 });
  });

  it("applies dpr to the output size", () => {
    expect(targetSize(parse("width=100&height=50&dpr=2"))).toEqual({ width: 200, height: 100 });
  });

  it("starts from a preset and lets the query override it", () => {
    expect(parse("preset=thumb&width=64")).toMatchObject({ width: 64, height: 120, fit: "cover", format: "auto" });
  });

  it.each([
    ["width=-1", /width must be a whole number/],
    ["width=0", /width must be from 1 to 4096/],
    ["width=4097", /width must be from 1 to 4096/],
    ["width=99999999999999999999", /width must be a whole number/],
    ["width=1e3", /width must be a whole number/],
    ["width=12.5", /width must be a whole number/],
    ["height=abc", /height must be a whole number/],
    ["quality=0", /quality must be from 1 to 100/],
    ["quality=101", /quality must be from 1 to 100/],
    ["fit=stretch", /fit must be one of cover, contain, fill, inside, outside/],
    ["gravity=up", /gravity must be one of/],
    ["format=bmp", /format must be one of/],
    ["dpr=5", /dpr must be from 1 to 4/],
    ["dpr=-2", /dpr must be a number/],
    ["blur=0.1", /blur must be 0 \(off\) or from 0.3 to 100/],
    ["blur=1000", /blur must be from 0 to 100/],
    ["width=3000&dpr=2", /width × dpr must be at most 4096/],
    ["width=1&width=2", /width is given more than once/],
    ["w=1&width=2", /width is given more than once/],
    ["size=big", /unknown option "size"/],
    ["preset=huge", /unknown preset "huge"/],
  ])("rejects %s with a message naming the problem", (query, message) => {
    expect(rejection(query)).toMatch(message);
  });

  it("gives the same canonical form for the same output, however it was asked for", () => {
    const a = canonicalOptions(parse("width=200&dpr=2"), "jpeg");
    const b = canonicalOptions(parse("w=400"), "jpeg");
    expect(a).toBe(b);
    expect(canonicalOptions(parse("w=400"), "webp")).not.toBe(b);
  });
});
