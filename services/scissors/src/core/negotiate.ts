import type { OutputFormat, RequestFormat } from "./options.ts";
import type { SourceFormat } from "./sniff.ts";

// True when the Accept header lists `type` with a non-zero q; the wildcards do not count, browsers send them always.
export function accepts(accept: string, type: string): boolean {
  for (const part of accept.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    if (name?.trim() !== type) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** The input's own format when no format was asked for; SVG is rasterised to PNG. */
export function defaultFormat(source: SourceFormat): OutputFormat {
  return source === "svg" || source === "heif" ? "png" : source;
}

export interface Negotiated {
  format: OutputFormat;
  /** True when the answer depends on Accept, so caches must key on it (Vary: Accept). */
  varies: boolean;
}

export function negotiateFormat(
  requested: RequestFormat | undefined,
  source: SourceFormat,
  accept: string,
): Negotiated {
  if (requested && requested !== "auto") return { format: requested, varies: false };
  if (requested === "auto") {
    if (accepts(accept, "image/avif")) return { format: "avif", varies: true };
    if (accepts(accept, "image/webp")) return { format: "webp", varies: true };
    const fallback = defaultFormat(source);
    return { format: fallback === "gif" ? "png" : fallback, varies: true };
  }
  return { format: defaultFormat(source), varies: false };
}

export const contentTypes: Record<OutputFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  avif: "image/avif",
  gif: "image/gif",
};
