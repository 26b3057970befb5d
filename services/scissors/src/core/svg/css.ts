import { unprocessable } from "../errors.ts";

/** What a piece of CSS refers to inside the document, once anything outside it has been cut out. */
export interface CleanCss {
  text: string;
  /** Element ids named by `url(#id)`. */
  references: string[];
}

const urlFunction = /url\(\s*(['"]?)([^)'"]*)\1\s*\)/gi;

/**
 * Cleans CSS from a `style` attribute, a `<style>` element or a presentation attribute (`fill`, `filter` …).
 * `url()` may only point into the document and `@import` is removed. CSS escapes are refused: `\75 rl(` is a
 * `url(` to a CSS parser but not to a pattern, and no drawing needs them.
 */
export function cleanCss(text: string): CleanCss {
  if (text.includes("\\")) throw unprocessable("SVG with CSS escapes");
  const references: string[] = [];
  const cleaned = text.replace(/@import[^;]*;?/gi, "").replace(urlFunction, (_all, _quote, target: string) => {
    const trimmed = target.trim();
    if (!trimmed.startsWith("#")) return "none";
    references.push(trimmed.slice(1));
    return `url(#${trimmed.slice(1)})`;
  });
  // Whatever the pattern could not take apart (a ')' inside quotes, say) is refused, not passed on.
  if (/url\(/i.test(cleaned.replace(/url\(#[^)'"\s]*\)/g, "")))
    throw unprocessable("SVG with a url() that cannot be checked");
  return { text: cleaned, references };
}
