import { describe, expect, it } from "vitest";
import { cleanCss } from "../../src/core/svg/css.ts";
import { readSvgDocument } from "../../src/core/svg/document.ts";
import { defaultSvgLimits } from "../../src/core/svg/limits.ts";
import { checkElementTags } from "../../src/core/svg/prescan.ts";

const svg = (body: string, extra = "") =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${extra}>${body}</svg>`;
const read = (text: string) => readSvgDocument(text, defaultSvgLimits);

describe("readSvgDocument", () => {
  it("removes script, event handlers, foreign objects, comments, stylesheet PIs and external references", () => {
    const doc = read(
      `<?xml-stylesheet type="text/css" href="http://evil/a.css"?>${svg(
        `<!-- x --><script>alert(1)</script><foreignObject><iframe src="http://x"/></foreignObject>
      <image href="file:///etc/passwd"/><image xlink:href='http://169.254.169.254/'/>
      <rect fill="url(http://evil/p.svg#x)" style="fill: url('http://evil/q')"/><use href="#local"/>
      <style>@import url(http://x/a.css); rect { fill: url(#g) }</style>`,
        ' onload="alert(1)" xml:base="http://evil/"',
      )}`,
    );
    expect(doc.text).not.toMatch(/script|onload|foreignObject|iframe|passwd|169\.254|evil|@import|xml:base|<!--/);
    expect(doc.text).toContain('href="#local"');
    expect(doc.text).toContain("url(#g)");
    expect(doc.stylesheetReferences).toEqual(["g"]);
  });

  it("checks href by namespace, whatever prefix is bound to xlink", () => {
    const doc = read(
      svg(
        '<image foo:href="http://127.0.0.1:9/x.png" width="1" height="1"/><use foo:href="#a"/><g bar:href="http://x/"/>',
        ' xmlns:foo="http://www.w3.org/1999/xlink" xmlns:bar="urn:other"',
      ),
    );
    expect(doc.text).not.toContain("127.0.0.1");
    expect(doc.text).not.toContain("http://x/");
    expect(doc.nodes.find((node) => node.local === "use")?.references).toEqual(["a"]);
  });

  it("keeps embedded PNG and JPEG, and drops an embedded SVG, which would bypass these checks", () => {
    const doc = read(
      svg(
        '<image href="data:image/png;base64,iVBO Rw0K"/><image href="data:image/svg+xml;base64,PHN2Zz4="/><image href="data:image/gif;base64,R0lG"/>',
      ),
    );
    expect(doc.nodes.filter((node) => node.embedded !== undefined).map((node) => node.embedded)).toEqual(["iVBORw0K"]);
    expect(doc.text).not.toMatch(/svg\+xml|image\/gif/);
  });

  it("drops elements outside the SVG namespace and refuses XInclude under any prefix", () => {
    expect(read(svg('<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="http://x"/><rect/>')).text).toBe(
      svg("<rect/>"),
    );
    expect(() => read(svg('<x:include xmlns:x="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>'))).toThrow(
      /XInclude/,
    );
  });

  it("refuses DTD internal subsets, undefined entities, malformed XML and non-SVG roots", () => {
    expect(() => read(`<!DOCTYPE svg [<!ENTITY a "aaaa">]>${svg("&a;")}`)).toThrow(/internal subset/);
    expect(() => read(svg("&lol;"))).toThrow(/not well-formed/);
    expect(() => read(`${svg("<rect>")}`)).toThrow(/not well-formed/);
    expect(() => read('<html xmlns="http://www.w3.org/1999/xhtml"/>')).toThrow(/not an SVG document/);
    // An external DTD is common in exported files; it is dropped, never fetched.
    const exported = read(`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://x/svg11.dtd">${svg("<rect/>")}`);
    expect(exported.text).not.toContain("DOCTYPE");
  });

  it("stops at the element and nesting limits, with a 413", () => {
    const limits = { ...defaultSvgLimits, maxElements: 5, maxNesting: 3 };
    expect(() => readSvgDocument(svg("<rect/>".repeat(5)), limits)).toThrow(
      expect.objectContaining({ status: 413, message: "SVG has more than 5 elements" }),
    );
    expect(() => readSvgDocument(svg("<g><g><g/></g></g>"), limits)).toThrow(/nests elements more than 3 deep/);
  });
});

describe("cleanCss", () => {
  it("keeps references into the document and cuts everything else", () => {
    expect(cleanCss("fill:url( '#a' ); stroke:url(http://x/y)")).toEqual({
      text: "fill:url(#a); stroke:none",
      references: ["a"],
    });
  });

  it("refuses a url() the pattern cannot take apart, rather than passing it on", () => {
    expect(() => cleanCss("fill: url('http://evil/a)b')")).toThrow(/url\(\) that cannot be checked/);
  });

  it("refuses CSS escapes, which can spell url( without the letters", () => {
    expect(() => cleanCss("fill: \\75 rl(http://x)")).toThrow(/CSS escapes/);
  });
});

describe("checkElementTags", () => {
  const limits = { ...defaultSvgLimits, maxElements: 3 };
  it("counts element tags only, not closing tags, comments or declarations", () => {
    const text = '<?xml version="1.0"?><!-- c --><svg><rect/><g></g></svg>';
    expect(() => checkElementTags(Buffer.from(text), limits)).not.toThrow();
    expect(() => checkElementTags(Buffer.from(`${text}<a/>`), limits)).toThrow("SVG has more than 3 element tags");
  });
});
