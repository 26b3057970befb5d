import { describe, expect, it } from "vitest";
import { checkSvgBudget, renderedPixels } from "../../src/core/svg/budget.ts";
import { readSvgDocument } from "../../src/core/svg/document.ts";
import { measureSvgWork } from "../../src/core/svg/graph.ts";
import { defaultSvgLimits } from "../../src/core/svg/limits.ts";

const svg = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
const work = (text: string, limits = defaultSvgLimits) => measureSvgWork(readSvgDocument(text, limits), limits);

/** `levels` groups, each using the one before `fanOut` times: fanOut^levels rects from a few hundred bytes. */
function useBomb(levels: number, fanOut: number): string {
  let defs = '<g id="l0"><rect width="1" height="1"/></g>';
  for (let i = 1; i <= levels; i++) defs += `<g id="l${i}">${`<use href="#l${i - 1}"/>`.repeat(fanOut)}</g>`;
  return svg(`<defs>${defs}</defs><use href="#l${levels}"/>`);
}

describe("measureSvgWork", () => {
  it("counts every element as often as references draw it", () => {
    // <svg>, <defs> and the last <use> once; l2 from <defs> and that <use> (2), its 3 uses 2 times each;
    // l1 from <defs> and those 6 (7), its 3 uses 7 times each; l0 and its rect from <defs> and those 21.
    // Whatever sits in <defs> is counted once more than it is drawn: the bound errs on the safe side.
    expect(work(useBomb(2, 3)).drawn).toBe(1 + 1 + 1 + (2 + 3 * 2) + (7 + 3 * 7) + 2 * 22);
  });

  it("refuses a billion laughs made of <use>, without expanding it", () => {
    const started = performance.now();
    expect(() => work(useBomb(6, 10))).toThrow(/draws \d+ elements once references are followed/);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("follows a reference to every element that carries the id, so a duplicate cannot hide a bomb", () => {
    const uses = '<use href="#a"/>'.repeat(500);
    // 500 uses of a lone <g/>: about a thousand drawn, well within the bound.
    expect(work(svg(`<g id="a"/>${uses}`)).drawn).toBeLessThan(1100);
    // The same, with a second "a" of 50 rects that a renderer may pick instead: 25,000 drawn.
    const second = `<defs><g id="a">${"<rect/>".repeat(50)}</g></defs>`;
    expect(() => work(svg(`<g id="a"/>${second}${uses}`))).toThrow(/draws \d+ elements/);
  });

  it("refuses long reference chains and cycles", () => {
    const chain = Array.from({ length: 12 }, (_, i) => `<g id="c${i}"><use href="#c${i + 1}"/></g>`).join("");
    expect(() => work(svg(`${chain}<rect id="c12"/>`))).toThrow(/chains references 12 deep, more than 8/);
    expect(() => work(svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'))).toThrow(/cycle/);
  });

  it("counts filter primitives per filtered element, and refuses an oversized filter", () => {
    const filter = '<filter id="f"><feGaussianBlur stdDeviation="50"/><feOffset dx="1"/></filter>';
    expect(work(svg(`${filter}${'<rect filter="url(#f)"/>'.repeat(5)}`)).filterPrimitives).toBe(10);
    // A stylesheet may apply it to any of the 7 elements.
    expect(work(svg(`${filter}<style>rect{filter:url(#f)}</style><rect/><rect/>`)).filterPrimitives).toBe(7 * 2);
    expect(() => work(svg(`${filter}${'<rect filter="url(#f)"/>'.repeat(129)}`))).toThrow(
      "SVG runs 258 filter primitives, more than 256",
    );
    const huge = `<filter id="h">${"<feOffset/>".repeat(17)}</filter>`;
    expect(() => work(svg(huge))).toThrow(/17 primitives, more than 16/);
  });

  it("counts an image embedded once but drawn by 20 uses as 20 decodes, plus one for <defs>", () => {
    const text = svg(`<defs><image id="i" href="data:image/png;base64,AAAA"/></defs>${'<use href="#i"/>'.repeat(20)}`);
    expect(work(text).embedded).toEqual([{ base64: "AAAA", times: 21 }]);
  });
});

describe("renderedPixels", () => {
  it("renders at the scale of the resize, never above the declared size", () => {
    expect(renderedPixels({ width: 6000, height: 6000 }, { width: 500 }, "cover", 4096)).toBe(500 * 500);
    expect(renderedPixels({ width: 100, height: 100 }, { width: 500 }, "cover", 4096)).toBe(100 * 100);
    expect(renderedPixels({ width: 8000, height: 4000 }, {}, "cover", 4096)).toBe(4096 * 2048);
    expect(renderedPixels({ width: 1000, height: 500 }, { width: 100, height: 100 }, "cover", 4096)).toBe(200 * 100);
    expect(renderedPixels({ width: 1000, height: 500 }, { width: 100, height: 100 }, "inside", 4096)).toBe(100 * 50);
  });
});

describe("checkSvgBudget", () => {
  const base = { drawn: 10, filterPrimitives: 2, embedded: [{ base64: "A", times: 20 }] };
  it("charges filters the whole rendered canvas", () => {
    expect(() => checkSvgBudget(base, 2001 * 2000, [0], defaultSvgLimits, 40_000_000)).toThrow(
      /filters would cover 2 × 4002000 pixels, more than 8000000/,
    );
    expect(() => checkSvgBudget(base, 1000 * 1000, [0], defaultSvgLimits, 40_000_000)).not.toThrow();
  });

  it("counts each embedded image's decoded pixels, each time it is drawn, against the source pixel limit", () => {
    // 20 draws of a 6000 × 6000 PNG: 720 MP, where the canvas is only 100 × 100.
    expect(() => checkSvgBudget(base, 100 * 100, [36_000_000], defaultSvgLimits, 40_000_000)).toThrow(
      expect.objectContaining({ status: 413, message: expect.stringMatching(/720010000 pixels, more than 40000000/) }),
    );
    expect(() => checkSvgBudget(base, 100 * 100, [1_000_000], defaultSvgLimits, 40_000_000)).not.toThrow();
  });
});
