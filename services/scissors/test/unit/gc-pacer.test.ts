import { describe, expect, it } from "vitest";
import { gcPacer } from "../../src/core/gc-pacer.ts";

describe("gcPacer", () => {
  it("collects once every so many images, at the first moment every busy request is inside libvips", () => {
    const pacer = gcPacer(3);
    // Two requests in flight: the first two images leave a request on the main thread, or are not due.
    expect(pacer.enter(2)).toBe(false); // 1 image, 1 of 2 off the thread
    pacer.leave();
    expect(pacer.enter(2)).toBe(false); // 2 images
    expect(pacer.enter(2)).toBe(true); // 3 images, both off the thread
    pacer.leave();
    pacer.leave();
    // Due again after three more, but not while the other request still needs the main thread.
    for (let i = 0; i < 3; i++) {
      expect(pacer.enter(2)).toBe(false);
      pacer.leave();
    }
    expect(pacer.enter(1)).toBe(true); // the other request has gone: nobody needs the thread
    pacer.leave();
  });
});
