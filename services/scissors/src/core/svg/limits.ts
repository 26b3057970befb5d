/**
 * What an SVG may ask of the renderer, checked on the parsed document before librsvg sees it. librsvg
 * ignores libvips' timeout and its own limits are sized for desktop use (a million loaded elements), so a
 * few kilobytes could hold a core for minutes. The numbers were measured with sharp 0.35's librsvg on this
 * project's 2-core machine (services/scissors/README.md, "SVG").
 */
export interface SvgLimits {
  /** Elements in the file. 10,000 full-canvas shapes took about 1 s of CPU at 500×500. */
  maxElements: number;
  /** Element nesting; deeper trees only serve to exhaust the renderer's stack. */
  maxNesting: number;
  /** Elements drawn once every `<use>` and pattern, mask, clip and marker reference is followed. */
  maxDrawnElements: number;
  /** The longest chain of references (a `<use>` of a `<use>` …). */
  maxReferenceDepth: number;
  /** Primitives in one `<filter>`. */
  maxFilterPrimitives: number;
  /** Filter primitives run in all, whatever the size: 1,000 small blurred rects took 6.5 s of CPU. */
  maxFilterRuns: number;
  /**
   * Filter primitives run, times the pixels each may cover. librsvg clips a filter region to the canvas, so a
   * primitive is charged the whole rendered canvas: one blur over 2000×2000 (4 MP) took 1.1–2 s of CPU.
   */
  maxFilterPixels: number;
}

export const defaultSvgLimits: SvgLimits = {
  maxElements: 10_000,
  maxNesting: 128,
  maxDrawnElements: 20_000,
  maxReferenceDepth: 8,
  maxFilterPrimitives: 16,
  maxFilterRuns: 256,
  maxFilterPixels: 8_000_000,
};
