import { lookup } from "node:dns/promises";
import type { IncomingMessage } from "node:http";
import { isIP, type LookupFunction } from "node:net";
import { isBlockedAddress } from "../core/address.ts";
import { deadline } from "../core/deadline.ts";
import { badGateway, forbidden, notFound, ScissorsError, timedOut, tooLarge } from "../core/errors.ts";
import { originIdentity } from "../core/etag.ts";
import type { FetchPolicy } from "../core/source.ts";
import { readLimited } from "./read-limited.ts";

export interface FetchedSource {
  bytes: Buffer;
  /** The origin's own validator, when it sent one: cheaper and as good as hashing the bytes. */
  validator?: string;
}

export interface HttpFetchSettings {
  maxBytes: number;
  maxRedirects: number;
  timeoutMs: number;
}

// Not `import`: the ES module facade of node:http evaluates its lazy getters, and one of them loads undici
// (4 MiB of RSS here, 14 MiB in a bare process).
const http = process.getBuiltinModule("node:http");
const https = process.getBuiltinModule("node:https");

// Keep-alive to origins: a thumbnail service talks to few origins, and a new TCP/TLS handshake per image
// would cost more than the download.
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
};

/** Resolves the host once and checks every address; the socket then connects to exactly that address. */
async function resolvePinned(url: URL, policy: FetchPolicy): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await lookup(host, { all: true, verbatim: true }).catch(() => {
        throw badGateway(`source host ${host} does not resolve`);
      });
  const first = addresses[0];
  if (!first) throw badGateway(`source host ${host} does not resolve`);
  if (!policy.trustsPrivateAddress(url)) {
    const blocked = addresses.find((a) => isBlockedAddress(a.address));
    if (blocked) throw forbidden("source_address_blocked", `source ${url.host} resolves to a blocked address`);
  }
  return first;
}

function request(url: URL, pinned: { address: string; family: number }, signal: AbortSignal): Promise<IncomingMessage> {
  // DNS rebinding: the lookup hook hands back the address already checked, never a second resolution.
  const pinnedLookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    } else callback(null, pinned.address, pinned.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      agent: agents[url.protocol as "http:" | "https:"],
      lookup: pinnedLookup,
      signal,
      headers: { accept: "image/*", "user-agent": "scissors" },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

/**
 * Downloads a source over HTTP(S). Every hop, redirects included, passes the policy and the address check;
 * the body is cut off at the byte limit and the whole download at the timeout.
 */
export async function fetchHttpSource(
  start: URL,
  policy: FetchPolicy,
  settings: HttpFetchSettings,
  outer?: AbortSignal,
): Promise<FetchedSource> {
  const timeout = deadline(settings.timeoutMs, () => timedOut("source download took too long"), outer);
  const signal = timeout.signal;
  let url = start;
  try {
    for (let hop = 0; ; hop++) {
      policy.check(url);
      const pinned = await resolvePinned(url, policy);
      const response = await request(url, pinned, signal);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (hop >= settings.maxRedirects)
          throw badGateway(`source redirected more than ${settings.maxRedirects} times`);
        url = new URL(response.headers.location, url);
        continue;
      }
      if (status === 404 || status === 410) {
        response.resume();
        throw notFound("source image not found");
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw badGateway(`source answered ${status}`);
      }
      const declared = Number(response.headers["content-length"]);
      if (declared > settings.maxBytes) {
        response.destroy();
        throw tooLarge(`source is ${declared} bytes, more than ${settings.maxBytes}`);
      }
      // No Content-Length makes `declared` NaN, which readLimited takes as "unknown".
      // node:http's parser copies each body chunk out for this reader alone, so each is freed once copied.
      const bytes = await readLimited(response, settings.maxBytes, declared, { releaseChunks: true }).finally(() =>
        response.destroy(),
      );
      return { bytes, validator: originIdentity(url.href, response.headers, bytes.length) };
    }
  } catch (error) {
    if (error instanceof ScissorsError) throw error;
    if (timeout.expired) throw timedOut(`source download took longer than ${settings.timeoutMs} ms`);
    if (outer?.aborted) throw outer.reason;
    throw badGateway(`source download failed: ${(error as Error).message}`);
  } finally {
    timeout.clear();
  }
}
