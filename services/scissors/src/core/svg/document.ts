import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from "saxes";
import { ScissorsError, tooLarge, unprocessable } from "../errors.ts";
import { cleanCss } from "./css.ts";
import type { SvgLimits } from "./limits.ts";

const svgNs = "http://www.w3.org/2000/svg";
const xlinkNs = "http://www.w3.org/1999/xlink";
const xmlNs = "http://www.w3.org/XML/1998/namespace";
const xmlnsNs = "http://www.w3.org/2000/xmlns/";
const xincludeNs = "http://www.w3.org/2001/XInclude";

/** One element as the renderer will see it: what it references inside the document and what it embeds. */
export interface SvgNode {
  local: string;
  parent: number;
  id?: string;
  /** Ids named by `href` (any prefix bound to the xlink namespace, or none) and by `url(#id)`. */
  references: string[];
  /** The base64 payload of an embedded PNG or JPEG (`data:` href on `<image>` or `<feImage>`). */
  embedded?: string;
}

export interface SvgDocument {
  /** The sanitised document, serialised again from the parse: only what was checked reaches librsvg. */
  text: string;
  nodes: SvgNode[];
  /** Ids named by `url(#id)` in `<style>` elements: a selector may apply them to any element. */
  stylesheetReferences: string[];
}

// Elements that run code or pull in other content, removed with everything inside them.
const droppedElements = new Set(["script", "foreignObject"]);
// librsvg decodes these two from data: URIs (GIF and WebP draw nothing); an SVG inside an SVG would bypass
// every check made here, so it is not among them.
const embeddedImage = /^\s*data:image\/(png|jpeg|jpg);base64,([A-Za-z0-9+/=\s]*)$/i;

const escapeText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, "&quot;");

/**
 * Parses an SVG with a conforming, namespace-aware XML parser and writes it out again with only what is safe
 * for librsvg to act on. Refused: a DTD with an internal subset (entity declarations), undefined entities,
 * XInclude, CSS escapes, malformed XML, and more elements or nesting than the limits. Removed: script,
 * foreignObject, elements outside the SVG namespace, comments, processing instructions (an
 * `xml-stylesheet` would be fetched), event handlers, `xml:base`, and every `href` or `url()` that leaves
 * the document except an embedded PNG or JPEG.
 */
export function readSvgDocument(source: string, limits: SvgLimits): SvgDocument {
  const out: string[] = [];
  const nodes: SvgNode[] = [];
  const stylesheetReferences: string[] = [];
  // The open elements that are kept, as indexes into nodes; a dropped subtree only counts its depth.
  const open: number[] = [];
  let skipping = 0;
  let depth = 0;
  let elements = 0;
  let css = "";

  const parser = new SaxesParser({ xmlns: true, position: false });
  parser.on("doctype", (doctype) => {
    // An external DTD is never fetched (it is dropped); an internal subset is where entities are declared.
    if (doctype.includes("[")) throw unprocessable("SVG with a DTD internal subset (entity declarations)");
  });
  parser.on("opentag", (tag) => {
    elements++;
    depth++;
    if (elements > limits.maxElements) throw tooLarge(`SVG has more than ${limits.maxElements} elements`);
    if (depth > limits.maxNesting) throw tooLarge(`SVG nests elements more than ${limits.maxNesting} deep`);
    if (tag.uri === xincludeNs) throw unprocessable("SVG with XInclude");
    if (elements === 1 && (tag.uri !== svgNs || tag.local !== "svg")) throw unprocessable("not an SVG document");
    if (skipping > 0 || tag.uri !== svgNs || droppedElements.has(tag.local)) {
      skipping++;
      return;
    }
    const node: SvgNode = { local: tag.local, parent: open.at(-1) ?? -1, references: [] };
    const attributes = Object.values(tag.attributes)
      .map((attribute) => keptAttribute(attribute, node))
      .filter((text) => text !== undefined);
    nodes.push(node);
    open.push(nodes.length - 1);
    out.push(`<${tag.name}${attributes.join("")}${tag.isSelfClosing ? "/>" : ">"}`);
    css = "";
  });
  parser.on("closetag", (tag: SaxesTagNS) => {
    depth--;
    if (skipping > 0) {
      skipping--;
      return;
    }
    const index = open.pop() as number;
    if (nodes[index]?.local === "style") {
      const clean = cleanCss(css);
      stylesheetReferences.push(...clean.references);
      out.push(escapeText(clean.text));
      css = "";
    }
    if (!tag.isSelfClosing) out.push(`</${tag.name}>`);
  });
  const onText = (text: string) => {
    if (skipping > 0 || open.length === 0) return;
    if (nodes[open.at(-1) as number]?.local === "style") css += text;
    else out.push(escapeText(text));
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  try {
    parser.write(source).close();
  } catch (error) {
    if (error instanceof ScissorsError) throw error;
    throw unprocessable(`SVG is not well-formed XML: ${(error as Error).message.slice(0, 200)}`);
  }
  return { text: out.join(""), nodes, stylesheetReferences };
}

/** The attribute as written out, or undefined to drop it; records what it references on the node. */
function keptAttribute(attribute: SaxesAttributeNS, node: SvgNode): string | undefined {
  const { name, uri, local, value } = attribute;
  const keep = (text: string) => ` ${name}="${escapeAttribute(text)}"`;
  if (uri === xmlnsNs || (uri === "" && local === "xmlns")) return keep(value);
  if (uri === xmlNs) return local === "base" ? undefined : keep(value);
  if (local === "href") {
    // librsvg reads href with no namespace or in the xlink namespace, whatever its prefix; any other is dropped.
    if (uri !== "" && uri !== xlinkNs) return undefined;
    const target = value.trim();
    if (target.startsWith("#")) {
      node.references.push(target.slice(1));
      return keep(value);
    }
    const image = (node.local === "image" || node.local === "feImage") && embeddedImage.exec(value);
    if (!image) return undefined;
    node.embedded = (image[2] as string).replace(/\s/g, "");
    return keep(value);
  }
  if (uri !== "") return keep(value);
  if (local.toLowerCase().startsWith("on")) return undefined;
  if (local === "id") node.id = value;
  if (local !== "style" && !/url\(/i.test(value)) return keep(value);
  const clean = cleanCss(value);
  node.references.push(...clean.references);
  return keep(clean.text);
}
