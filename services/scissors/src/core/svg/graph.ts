import { tooLarge, unprocessable } from "../errors.ts";
import type { SvgDocument } from "./document.ts";
import type { SvgLimits } from "./limits.ts";

/** What rendering the document costs, counted before any of it is drawn. */
export interface SvgWork {
  /** Elements drawn, every reference followed as many times as it is reached. */
  drawn: number;
  /** Filter primitives run: each filtered element drawn, times its filter's primitives. */
  filterPrimitives: number;
  /** Each embedded raster with the number of times it is drawn. */
  embedded: { base64: string; times: number }[];
}

// References to these draw their content again wherever they are used; gradients only lend colours.
const drawsTarget = new Set(["symbol", "svg", "g", "pattern", "mask", "clipPath", "marker", "filter"]);

/**
 * Follows every reference as the renderer would. Elements and references form a graph; a cycle is refused,
 * and otherwise each element's draw count is the sum over the edges into it, in topological order. This
 * sees through the "billion laughs" made of `<use>` (10 elements referring 10 times to the 10 before)
 * without expanding anything, and counts an image embedded once but drawn 20 times as 20 decodes.
 */
export function measureSvgWork(document: SvgDocument, limits: SvgLimits): SvgWork {
  const { nodes } = document;
  // Every element with an id, duplicates included: whichever one the renderer picks is counted.
  const byId = new Map<string, number[]>();
  nodes.forEach((node, index) => {
    if (node.id !== undefined) byId.set(node.id, [...(byId.get(node.id) ?? []), index]);
  });
  // Edges: parent → child, referrer → referenced (a `<use>` target, or content such as a pattern drawn again).
  const edges: { to: number; weight: number; reference: boolean }[][] = nodes.map(() => []);
  const incoming = new Array<number>(nodes.length).fill(0);
  const addEdge = (from: number, to: number, weight: number, reference: boolean) => {
    edges[from]?.push({ to, weight, reference });
    incoming[to] = (incoming[to] ?? 0) + 1;
  };
  nodes.forEach((node, index) => {
    if (node.parent >= 0) addEdge(node.parent, index, 1, false);
    for (const target of node.references.flatMap((id) => byId.get(id) ?? [])) {
      const local = nodes[target]?.local ?? "";
      if (node.local === "use" || node.local === "feImage" || drawsTarget.has(local)) addEdge(index, target, 1, true);
    }
  });
  // A selector may apply a stylesheet's url(#id) to every element in the file.
  for (const target of document.stylesheetReferences.flatMap((id) => byId.get(id) ?? [])) {
    if (target !== 0) addEdge(0, target, nodes.length, true);
  }

  const times = new Array<number>(nodes.length).fill(0);
  const chain = new Array<number>(nodes.length).fill(0);
  times[0] = 1;
  const ready = nodes.length > 0 && incoming[0] === 0 ? [0] : [];
  let visited = 0;
  while (ready.length > 0) {
    const from = ready.pop() as number;
    visited++;
    for (const edge of edges[from] ?? []) {
      times[edge.to] = (times[edge.to] ?? 0) + (times[from] ?? 0) * edge.weight;
      chain[edge.to] = Math.max(chain[edge.to] ?? 0, (chain[from] ?? 0) + (edge.reference ? 1 : 0));
      incoming[edge.to] = (incoming[edge.to] ?? 0) - 1;
      if (incoming[edge.to] === 0) ready.push(edge.to);
    }
  }
  if (visited < nodes.length) throw unprocessable("SVG references form a cycle");

  const depth = Math.max(0, ...chain);
  if (depth > limits.maxReferenceDepth) {
    throw tooLarge(`SVG chains references ${depth} deep, more than ${limits.maxReferenceDepth}`);
  }
  const drawn = times.reduce((sum, n) => sum + n, 0);
  if (drawn > limits.maxDrawnElements) {
    throw tooLarge(`SVG draws ${drawn} elements once references are followed, more than ${limits.maxDrawnElements}`);
  }
  const primitivesOf = new Map<number, number>();
  for (const node of nodes) {
    if (node.local.startsWith("fe") && nodes[node.parent]?.local === "filter") {
      primitivesOf.set(node.parent, (primitivesOf.get(node.parent) ?? 0) + 1);
    }
  }
  let filterPrimitives = 0;
  nodes.forEach((node, index) => {
    if (node.local !== "filter") return;
    const primitives = primitivesOf.get(index) ?? 0;
    if (primitives > limits.maxFilterPrimitives) {
      throw tooLarge(`SVG filter has ${primitives} primitives, more than ${limits.maxFilterPrimitives}`);
    }
    // The filter element is reached once from its parent; every other arrival is an element it filters.
    const uses = (times[index] ?? 0) - (node.parent >= 0 ? (times[node.parent] ?? 0) : 0);
    filterPrimitives += Math.max(0, uses) * primitives;
  });
  if (filterPrimitives > limits.maxFilterRuns) {
    throw tooLarge(`SVG runs ${filterPrimitives} filter primitives, more than ${limits.maxFilterRuns}`);
  }
  const embedded = nodes.flatMap((node, index) =>
    node.embedded === undefined ? [] : [{ base64: node.embedded, times: times[index] ?? 0 }],
  );
  return { drawn, filterPrimitives, embedded };
}
