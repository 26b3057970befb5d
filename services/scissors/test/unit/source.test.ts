import { describe, expect, it } from "vitest";
import { fetchPolicy, resolveSource, type SourceSettings } from "../../src/core/source.ts";

const settings: SourceSettings = {
  sources: [
    { prefix: "blog", type: "http", origin: "https://cdn.example.com/images" },
    { prefix: "manga", type: "s3", bucket: "manga-pages", keyPrefix: "pages/" },
  ],
  allowedHosts: ["*.hatena.ne.jp", "example.org"],
};
const policy = fetchPolicy(settings);
const resolve = (path: string) => resolveSource(path, settings, policy);
const status = (path: string) => {
  try {
    resolve(path);
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
};

describe("resolveSource", () => {
  it("maps a prefix to its origin or bucket", () => {
    expect(resolve("/blog/2024/a%20b.jpg")).toMatchObject({
      type: "http",
      cacheKey: "https://cdn.example.com/images/2024/a%20b.jpg",
    });
    expect(resolve("/manga/ep1/001.png")).toMatchObject({
      type: "s3",
      bucket: "manga-pages",
      key: "pages/ep1/001.png",
    });
  });

  it("takes absolute URLs on allowed hosts only", () => {
    expect(resolve("/https://cdn-ak.f.st-hatena.com.hatena.ne.jp/x.jpg").type).toBe("http");
    expect(resolve("/https%3A%2F%2Fexample.org%2Fx.jpg").type).toBe("http");
    expect(status("/https://evil.example.net/x.jpg")).toBe(403);
    expect(status("/https://hatena.ne.jp.evil.net/x.jpg")).toBe(403);
  });

  it("refuses other schemes, credentials, traversal and unknown prefixes", () => {
    expect(status("/file:///etc/passwd")).toBe(400);
    expect(status("/gopher://example.org/x")).toBe(400);
    expect(status("/https://user:pw@example.org/x.jpg")).toBe(400);
    expect(status("/blog/../secret.jpg")).toBe(400);
    expect(status("/blog/%2e%2e/secret.jpg")).toBe(400);
    expect(status("/blog/a%2fb.jpg")).toBe(400);
    expect(status("/blog/%zz.jpg")).toBe(400);
    expect(status("/nowhere/a.jpg")).toBe(404);
  });

  it("refuses absolute URLs when no host is allowed", () => {
    const closed = { ...settings, allowedHosts: [] };
    expect(() => resolveSource("/https://example.org/x.jpg", closed, fetchPolicy(closed))).toThrow(/disabled/);
  });
});
