import { badRequest } from "./errors.ts";

export const fits = ["cover", "contain", "fill", "inside", "outside"] as const;
export const gravities = [
  "center",
  "north",
  "northeast",
  "east",
  "southeast",
  "south",
  "southwest",
  "west",
  "northwest",
  "attention",
  "entropy",
] as const;
export const outputFormats = ["jpeg", "png", "webp", "avif", "gif"] as const;
export const requestFormats = [...outputFormats, "auto"] as const;

export type Fit = (typeof fits)[number];
export type Gravity = (typeof gravities)[number];
export type OutputFormat = (typeof outputFormats)[number];
export type RequestFormat = (typeof requestFormats)[number];

/** What a request asks for, before the source is known. Every field is validated and bounded. */
export interface TransformOptions {
  width?: number;
  height?: number;
  quality?: number;
  fit: Fit;
  gravity: Gravity;
  format?: RequestFormat;
  dpr: number;
  blur?: number;
}

export type Preset = Partial<Omit<TransformOptions, "fit" | "gravity" | "dpr">> & {
  fit?: Fit;
  gravity?: Gravity;
  dpr?: number;
};

export interface OptionLimits {
  maxDimension: number;
}

// Short aliases as imgproxy and ipx users type them; Hatena's own names are the long ones.
const aliases: Record<string, string> = { w: "width", h: "height", q: "quality", f: "format", g: "gravity" };
const gravityAliases: Record<string, Gravity> = {
  centre: "center",
  n: "north",
  ne: "northeast",
  e: "east",
  se: "southeast",
  s: "south",
  sw: "southwest",
  w: "west",
  nw: "northwest",
  smart: "attention",
};
const formatAliases: Record<string, RequestFormat> = { jpg: "jpeg" };

/** Query parameters that are not transform options: they are checked elsewhere. */
export const reservedParams = new Set(["sig", "expires"]);

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(text)) throw badRequest(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw badRequest(`${name} must be from ${min} to ${max}, got ${value}`);
  return value;
}

function decimal(name: string, text: string, min: number, max: number): number {
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(text))
    throw badRequest(`${name} must be a number from ${min} to ${max}, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw badRequest(`${name} must be from ${min} to ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[], extra: Record<string, T> = {}): T {
  const lower = text.toLowerCase();
  const value = (extra[lower] ?? lower) as T;
  if (!allowed.includes(value)) throw badRequest(`${name} must be one of ${allowed.join(", ")}, got "${text}"`);
  return value;
}

/**
 * Parses the query string into options. Unknown, repeated and out-of-range parameters are rejected with a
 * message naming the parameter, so a typo is a 400 the caller can read rather than an ignored option.
 */
export function parseOptions(
  params: URLSearchParams,
  presets: Record<string, Preset>,
  limits: OptionLimits,
): TransformOptions {
  const seen = new Map<string, string>();
  for (const [rawName, value] of params) {
    const name = aliases[rawName] ?? rawName;
    if (reservedParams.has(name)) continue;
    if (seen.has(name)) throw badRequest(`${name} is given more than once`);
    seen.set(name, value);
  }
  let base: Preset = {};
  const presetName = seen.get("preset");
  if (presetName !== undefined) {
    const preset = presets[presetName];
    if (!preset) throw badRequest(`unknown preset "${presetName}"`);
    base = preset;
    seen.delete("preset");
  }
  const options: TransformOptions = { fit: base.fit ?? "cover", gravity: base.gravity ?? "center", dpr: base.dpr ?? 1 };
  for (const key of ["width", "height", "quality", "format", "blur"] as const) {
    if (base[key] !== undefined) Object.assign(options, { [key]: base[key] });
  }
  const max = limits.maxDimension;
  for (const [name, value] of seen) {
    switch (name) {
      case "width":
        options.width = integer("width", value, 1, max);
        break;
      case "height":
        options.height = integer("height", value, 1, max);
        break;
      case "quality":
        options.quality = integer("quality", value, 1, 100);
        break;
      case "fit":
        options.fit = oneOf("fit", value, fits);
        break;
      case "gravity":
        options.gravity = oneOf("gravity", value, gravities, gravityAliases);
        break;
      case "format":
        options.format = oneOf("format", value, requestFormats, formatAliases);
        break;
      case "dpr":
        options.dpr = decimal("dpr", value, 1, 4);
        break;
      case "blur": {
        const sigma = decimal("blur", value, 0, 100);
        if (sigma > 0 && sigma < 0.3) throw badRequest(`blur must be 0 (off) or from 0.3 to 100, got ${sigma}`);
        options.blur = sigma || undefined;
        break;
      }
      default:
        throw badRequest(`unknown option "${name}"`);
    }
  }
  for (const side of ["width", "height"] as const) {
    const value = options[side];
    if (value !== undefined && Math.round(value * options.dpr) > max) {
      throw badRequest(`${side} × dpr must be at most ${max}, got ${value} × ${options.dpr}`);
    }
  }
  return options;
}

/** Output pixel size requested, dpr applied. */
export function targetSize(options: TransformOptions): { width?: number; height?: number } {
  const scale = (value?: number) => (value === undefined ? undefined : Math.round(value * options.dpr));
  return { width: scale(options.width), height: scale(options.height) };
}

const defaultQuality: Record<OutputFormat, number | undefined> = {
  jpeg: 80,
  webp: 80,
  avif: 50,
  png: undefined,
  gif: undefined,
};

/** The encoder quality actually used: the format's default when none is asked for; none for lossless formats. */
export function effectiveQuality(options: TransformOptions, format: OutputFormat): number | undefined {
  const fallback = defaultQuality[format];
  return fallback === undefined ? undefined : (options.quality ?? fallback);
}

/** A stable text form of the options, for cache keys and ETags: equal outputs give equal text. */
export function canonicalOptions(options: TransformOptions, format: OutputFormat): string {
  const { width, height } = targetSize(options);
  return [
    `w=${width ?? ""}`,
    `h=${height ?? ""}`,
    `q=${effectiveQuality(options, format) ?? ""}`,
    `fit=${options.fit}`,
    `g=${options.gravity}`,
    `f=${format}`,
    `blur=${options.blur ?? ""}`,
  ].join("&");
}
