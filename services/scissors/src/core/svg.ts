import { unprocessable } from "./errors.ts";

/**
 * Makes an SVG safe to rasterise. The output is always a raster image, so script cannot run in a viewer;
 * what matters is what the renderer itself does: entity expansion (billion laughs), XInclude, and loading
 * external files or URLs through href, url() or @import. Those are rejected or cut out; everything else
 * renders as drawn.
 */
export function sanitizeSvg(text: string): string {
  if (/<!ENTITY/i.test(text) || /<!DOCTYPE[^>]*\[/i.test(text)) throw unprocessable("SVG with entity declarations");
  if (/<(\w+:)?include\b/i.test(text)) throw unprocessable("SVG with XInclude");
  return text
    .replace(/<script\b[\s\S]*?(<\/script\s*>|$)/gi, "")
    .replace(/<foreignObject\b[\s\S]*?(<\/foreignObject\s*>|$)/gi, "")
    .replace(/\son\w+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "")
    .replace(
      /(\s(?:xlink:)?href\s*=\s*)("([^"]*)"|'([^']*)')/gi,
      (all, attr: string, _quoted, d?: string, s?: string) => (isLocalReference(d ?? s ?? "") ? all : `${attr}"#"`),
    )
    .replace(/url\(\s*(['"]?)([^)'"]*)\1\s*\)/gi, (all, _q, target: string) =>
      isLocalReference(target) ? all : "none",
    )
    .replace(/@import[^;]*;?/gi, "");
}

// Fragment references and inline raster data stay; any other scheme or path would be loaded by the renderer.
function isLocalReference(target: string): boolean {
  const trimmed = target.trim();
  return trimmed.startsWith("#") || /^data:image\/(png|jpeg|gif|webp);/i.test(trimmed);
}
