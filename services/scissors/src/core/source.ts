import { badRequest, forbidden, notFound } from "./errors.ts";

/**
 * What happens to an SVG source: refused with 415 (the default), or rasterised under limits in a renderer
 * process. Rasterising is opt-in per configured source; absolute URLs never get it.
 */
export const svgPolicies = ["reject", "rasterize"] as const;
export type SvgPolicy = (typeof svgPolicies)[number];

export type SourceConfig =
  | { prefix: string; type: "http"; origin: string; trustPrivateNetwork?: boolean; svg?: SvgPolicy }
  | { prefix: string; type: "s3"; bucket: string; keyPrefix?: string; forcePathStyle?: boolean; svg?: SvgPolicy };

export type SourceRef =
  | { type: "http"; url: URL; cacheKey: string; svg: SvgPolicy }
  | { type: "s3"; bucket: string; key: string; forcePathStyle: boolean; cacheKey: string; svg: SvgPolicy };

/** Which URLs may be fetched, and from which of them private addresses are acceptable. */
export interface FetchPolicy {
  /** Throws a 4xx when `url` may not be fetched at all (scheme, host allowlist). */
  check(url: URL): void;
  /** True when this URL's origin was configured by the operator as living on a private network. */
  trustsPrivateAddress(url: URL): boolean;
}

export interface SourceSettings {
  sources: readonly SourceConfig[];
  /** Hosts that absolute source URLs may name: exact names or "*.example.com". Empty: absolute URLs are off. */
  allowedHosts: readonly string[];
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p === "*" || p === name || (p.startsWith("*.") && name.endsWith(p.slice(1)));
  });
}

export function fetchPolicy(settings: SourceSettings): FetchPolicy {
  const trusted = new Set(
    settings.sources.flatMap((s) => (s.type === "http" && s.trustPrivateNetwork ? [new URL(s.origin).origin] : [])),
  );
  const configured = new Set(settings.sources.flatMap((s) => (s.type === "http" ? [new URL(s.origin).origin] : [])));
  return {
    check(url) {
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw badRequest(`only http and https sources are allowed, got ${url.protocol}`);
      }
      if (url.username || url.password) throw badRequest("source URLs may not carry credentials");
      if (configured.has(url.origin)) return;
      if (!hostAllowed(url.hostname.replace(/^\[|\]$/g, ""), settings.allowedHosts)) {
        throw forbidden("source_not_allowed", `source host ${url.host} is not on the allowlist`);
      }
    },
    trustsPrivateAddress: (url) => trusted.has(url.origin),
  };
}

function decodeSegments(rest: string): string[] {
  const segments = rest.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw badRequest("source path is not valid percent-encoding");
    }
  });
  if (segments.some((s) => s === "." || s === ".." || s.includes("/") || s.includes("\\") || s.includes("\0"))) {
    throw badRequest("source path may not contain dot segments, encoded slashes or NUL");
  }
  if (segments.every((s) => s === "")) throw notFound("no source path given");
  return segments;
}

/**
 * Maps a request path to a source. `/<prefix>/<path>` names a configured origin or bucket (a source with
 * the empty prefix takes every other path); `/<absolute URL>` names a remote image on an allowed host.
 */
export function resolveSource(rawPath: string, settings: SourceSettings, policy: FetchPolicy): SourceRef {
  const path = rawPath.replace(/^\/+/, "");
  const scheme = path.match(/^([a-z][a-z0-9+.-]*)(:|%3a)/i);
  if (scheme) {
    if (settings.allowedHosts.length === 0) throw forbidden("source_not_allowed", "absolute source URLs are disabled");
    let url: URL;
    try {
      url = new URL(scheme[2] === ":" ? path : decodeURIComponent(path));
    } catch {
      throw badRequest("source URL is not a valid URL");
    }
    policy.check(url);
    return { type: "http", url, cacheKey: url.href, svg: "reject" };
  }
  const slash = path.indexOf("/");
  const first = slash < 0 ? path : path.slice(0, slash);
  const source =
    settings.sources.find((s) => s.prefix !== "" && s.prefix === first) ??
    settings.sources.find((s) => s.prefix === "");
  if (!source) throw notFound(`no source is configured for /${first}`);
  const rest = source.prefix === "" ? path : path.slice(first.length + 1);
  const segments = decodeSegments(rest);
  if (source.type === "s3") {
    const key = `${source.keyPrefix ?? ""}${segments.join("/")}`;
    return {
      type: "s3",
      bucket: source.bucket,
      key,
      forcePathStyle: source.forcePathStyle ?? false,
      cacheKey: `s3://${source.bucket}/${key}`,
      svg: source.svg ?? "reject",
    };
  }
  const base = source.origin.replace(/\/+$/, "");
  const url = new URL(`${base}/${segments.map(encodeURIComponent).join("/")}`);
  policy.check(url);
  return { type: "http", url, cacheKey: url.href, svg: source.svg ?? "reject" };
}
