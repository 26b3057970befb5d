import { describe, expect, it } from "vitest";
import { sign, verifySignature } from "../../src/core/signature.ts";

describe("verifySignature", () => {
  const params = (query: string) => new URLSearchParams(query);
  const now = 1_800_000_000;

  it("accepts a signature made with any configured key, so keys can rotate", () => {
    const query = "width=100&height=50";
    for (const key of ["old-key", "new-key"]) {
      const sig = sign(key, "/blog/a.jpg", params(query));
      expect(verifySignature(["new-key", "old-key"], "/blog/a.jpg", params(`${query}&sig=${sig}`), now)).toEqual({
        ok: true,
      });
    }
  });

  it("rejects a retired key, a changed option, a changed path and a missing signature", () => {
    const sig = sign("retired", "/blog/a.jpg", params("width=100"));
    expect(verifySignature(["current"], "/blog/a.jpg", params(`width=100&sig=${sig}`), now).ok).toBe(false);
    const good = sign("current", "/blog/a.jpg", params("width=100"));
    expect(verifySignature(["current"], "/blog/a.jpg", params(`width=101&sig=${good}`), now).ok).toBe(false);
    expect(verifySignature(["current"], "/blog/b.jpg", params(`width=100&sig=${good}`), now).ok).toBe(false);
    expect(verifySignature(["current"], "/blog/a.jpg", params("width=100"), now)).toEqual({
      ok: false,
      reason: "missing signature (sig)",
    });
  });

  it("covers expires and refuses it once past", () => {
    const query = `width=100&expires=${now + 60}`;
    const sig = sign("k", "/a.jpg", params(query));
    expect(verifySignature(["k"], "/a.jpg", params(`${query}&sig=${sig}`), now).ok).toBe(true);
    expect(verifySignature(["k"], "/a.jpg", params(`${query}&sig=${sig}`), now + 61)).toEqual({
      ok: false,
      reason: "signed URL has expired",
    });
  });
});
