import { deflateSync } from "node:zlib";
import { pngBomb } from "./photos.ts";

const ns = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';
const svg = (body: string, size = 100, extra = "") =>
  `<svg ${ns} width="${size}" height="${size}"${extra}>${body}</svg>`;
const dataPng = (png: Buffer) => `data:image/png;base64,${png.toString("base64")}`;

/** `levels` groups, each drawing the one before `fanOut` times: fanOut^levels rects in a few hundred bytes. */
export function useBomb(levels: number, fanOut: number): string {
  let defs = '<g id="l0"><rect width="1" height="1"/></g>';
  for (let i = 1; i <= levels; i++) defs += `<g id="l${i}">${`<use href="#l${i - 1}"/>`.repeat(fanOut)}</g>`;
  return svg(`<defs>${defs}</defs><use href="#l${levels}"/>`);
}

/** A PNG whose every row is really there (zeros): decoding it does allocate and write width × height. */
export function fullPngBomb(side: number): Buffer {
  const head = pngBomb(side, side);
  // pngBomb's IDAT holds two rows; swap in all of them, grey (1 byte a pixel) to keep the deflate small.
  const ihdrEnd = 8 + 8 + 13 + 4;
  const ihdr = Buffer.from(head.subarray(0, ihdrEnd));
  ihdr.writeUInt8(0, 8 + 8 + 9); // colour type 0: grey
  const { crc32 } = process.getBuiltinModule("node:zlib");
  ihdr.writeUInt32BE(crc32(ihdr.subarray(12, 12 + 17)), 8 + 8 + 13);
  const rows = deflateSync(Buffer.alloc((side + 1) * side), { level: 9 });
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  return Buffer.concat([ihdr, chunk("IDAT", rows), chunk("IEND", Buffer.alloc(0))]);
}

/** A drawing within every static bound that still takes tens of seconds: 5,000 full-canvas translucent rects. */
export const slowSvg = () => svg('<rect width="2000" height="2000" fill="red" opacity="0.5"/>'.repeat(5000), 2000);

/** An embedded-image bomb: a 100×100 canvas carrying a 10,000×10,000 PNG (100 MP, 400 MB once decoded). */
export const embeddedBomb = (bomb: Buffer) => svg(`<image width="100" height="100" href="${dataPng(bomb)}"/>`);

export interface HostileSvg {
  name: string;
  svg: (secret: string) => string;
  query?: string;
  /** Refused with this status, or rendered within the bounds. */
  expect: number | "rendered";
}

/** The hostile corpus. `secret` is a loopback URL that must never be reached. */
export function hostileSvgs(bomb: Buffer, smallPng: Buffer): HostileSvg[] {
  const blur = (size: number) =>
    svg(
      `<filter id="f"><feGaussianBlur stdDeviation="50"/></filter><rect width="${size}" height="${size}" filter="url(#f)"/>`,
      size,
    );
  return [
    { name: "nested <use>, 10^6 rects", svg: () => useBomb(6, 10), expect: 413 },
    {
      name: "<use> chain 12 deep",
      svg: () =>
        svg(
          `${Array.from({ length: 12 }, (_, i) => `<g id="c${i}"><use href="#c${i + 1}"/></g>`).join("")}<rect id="c12"/>`,
        ),
      expect: 413,
    },
    {
      name: "<use> cycle",
      svg: () => svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'),
      expect: 422,
    },
    { name: "blur over a 4096² canvas", svg: () => blur(4096), expect: 413 },
    {
      name: "blur over a 4096² canvas asked for at 200 px",
      svg: () => blur(4096),
      query: "width=200",
      expect: "rendered",
    },
    {
      name: "blur applied by a stylesheet to 2,000 rects",
      svg: () =>
        svg(
          `<filter id="f"><feGaussianBlur stdDeviation="5"/></filter><style>rect{filter:url(#f)}</style>${"<rect width='50' height='50'/>".repeat(2000)}`,
          500,
        ),
      expect: 413,
    },
    {
      name: "a filter of 50 primitives",
      svg: () =>
        svg(
          `<filter id="f">${'<feGaussianBlur stdDeviation="9"/>'.repeat(50)}</filter><rect width="9" height="9" filter="url(#f)"/>`,
        ),
      expect: 413,
    },
    {
      name: "50,000 elements",
      svg: () => svg('<rect width="90" height="90" opacity="0.5"/>'.repeat(50_000), 500),
      expect: 413,
    },
    {
      name: "elements nested 10,000 deep",
      svg: () => svg(`${"<g>".repeat(10_000)}${"</g>".repeat(10_000)}`),
      expect: 413,
    },
    {
      name: "external <image> over http",
      svg: (s) => svg(`<image width="50" height="50" href="${s}/a.png"/>`),
      expect: "rendered",
    },
    {
      name: "external <image> through a custom prefix bound to xlink",
      svg: (s) =>
        svg(
          `<image width="50" height="50" evil:href="${s}/b.png"/>`,
          100,
          ' xmlns:evil="http://www.w3.org/1999/xlink"',
        ),
      expect: "rendered",
    },
    {
      name: "external <use> and <feImage>",
      svg: (s) =>
        svg(
          `<use xlink:href="${s}/c.svg#x"/><filter id="f"><feImage href="${s}/d.png"/></filter><rect width="9" height="9" filter="url(#f)"/>`,
        ),
      expect: "rendered",
    },
    {
      name: "file: <image>",
      svg: () => svg('<image width="50" height="50" href="file:///etc/passwd"/>'),
      expect: "rendered",
    },
    {
      name: "xml-stylesheet, @import and url() in CSS",
      svg: (s) =>
        `<?xml-stylesheet type="text/css" href="${s}/e.css"?>${svg(`<style>@import url(${s}/f.css); rect { fill: url(${s}/g.svg#p) }</style><rect width="9" height="9" style="stroke:url('${s}/h')"/>`)}`,
      expect: "rendered",
    },
    {
      name: "CSS escape spelling url(",
      svg: (s) => svg(`<style>rect { fill: \\75 rl(${s}/i) }</style><rect/>`),
      expect: 422,
    },
    {
      name: "external DTD",
      svg: (s) => `<!DOCTYPE svg SYSTEM "${s}/j.dtd">${svg("<rect width='9' height='9'/>")}`,
      expect: "rendered",
    },
    {
      name: "billion laughs (entity expansion)",
      svg: () =>
        `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${svg("<text>&c;</text>")}`,
      expect: 422,
    },
    {
      name: "external entity",
      svg: (s) => `<!DOCTYPE svg [<!ENTITY x SYSTEM "${s}/k">]>${svg("<text>&x;</text>")}`,
      expect: 422,
    },
    { name: "undeclared entity", svg: () => svg("<text>&x;</text>"), expect: 422 },
    {
      name: "XInclude",
      svg: (s) => svg(`<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${s}/l.svg"/>`),
      expect: 422,
    },
    { name: "embedded 10,000² PNG in a 100² canvas", svg: () => embeddedBomb(bomb), expect: 413 },
    {
      name: "embedded PNG declaring 6,000² drawn 20 times",
      svg: () => svg(`<image width="5" height="5" href="${dataPng(pngBomb(6000, 6000))}"/>`.repeat(20)),
      expect: 413,
    },
    {
      name: "embedded SVG carrying a <use> bomb",
      svg: () =>
        svg(
          `<image width="50" height="50" href="data:image/svg+xml;base64,${Buffer.from(useBomb(6, 10)).toString("base64")}"/>`,
        ),
      expect: "rendered",
    },
    {
      name: "embedded PNG that is really HTML",
      svg: () =>
        svg(
          `<image width="5" height="5" href="data:image/png;base64,${Buffer.from("<html></html>").toString("base64")}"/>`,
        ),
      expect: 422,
    },
    {
      name: "script, event handlers and foreignObject",
      svg: (s) =>
        svg(
          `<script>fetch("${s}/m")</script><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="${s}/n"/></foreignObject><rect width="9" height="9" onload="fetch('${s}/o')"/>`,
        ),
      expect: "rendered",
    },
    {
      name: "a small PNG embedded, drawn 20 times",
      svg: () => svg(`<image width="20" height="20" href="${dataPng(smallPng)}"/>`.repeat(20)),
      expect: "rendered",
    },
  ];
}
