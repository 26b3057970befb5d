// The few Kubernetes REST calls the interruption function makes, over node:https. Node's own fetch cannot
// take a CA or a client certificate without undici's Agent (which client-node bundles, 720 KB minified);
// node:https takes them directly, and its keep-alive agent pools connections the way undici's did.

import type { IncomingMessage } from "node:http";
import { Agent, request } from "node:https";
import type { KubeConnection } from "./connection.ts";

/** A response the apiserver sent with a status other than 2xx; `body` is its raw text (a Status object). */
export class KubernetesApiError extends Error {
  readonly code: number;
  readonly body: string;
  constructor(method: string, path: string, code: number, body: string) {
    super(`${method} ${path}: HTTP ${code}: ${body.slice(0, 300)}`);
    this.name = "KubernetesApiError";
    this.code = code;
    this.body = body;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Patches must say which kind; the default for a body is JSON. */
  contentType?: string;
  /** A hung apiserver must not hang a Lambda: every request has a deadline. */
  timeoutMs: number;
}

export type WatchEvent<T> = { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"; object: T };

interface Endpoint {
  connection: KubeConnection;
  agent: Agent;
}

export class KubeApi {
  private readonly endpoint: Endpoint;

  constructor(connection: KubeConnection) {
    this.endpoint = {
      connection,
      agent: new Agent({
        keepAlive: true,
        ca: connection.ca,
        cert: connection.cert,
        key: connection.key,
        rejectUnauthorized: connection.rejectUnauthorized,
      }),
    };
  }

  async send<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    // A deadline on the whole exchange, the answer's body included.
    const response = await this.open(method, path, { ...options, signal: AbortSignal.timeout(options.timeoutMs) });
    const text = await readAll(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw new KubernetesApiError(method, path, status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * A watch: `onEvent` for each event, then `onDone` once, with an error or with none when the server
   * ended the watch (its timeoutSeconds). Abort with the returned controller.
   */
  watch<T>(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent<T>) => void,
    onDone: (error: unknown) => void,
    idleTimeoutMs: number,
  ): AbortController {
    const abort = new AbortController();
    let done = false;
    const finish = (error: unknown) => {
      if (done) return;
      done = true;
      onDone(error);
    };
    this.open("GET", path, { query: { ...query, watch: true }, idleTimeoutMs, signal: abort.signal })
      .then(async (response) => {
        if (response.statusCode !== 200) {
          const text = await readAll(response);
          throw new KubernetesApiError("GET", path, response.statusCode ?? 0, text);
        }
        let buffered = "";
        response.setEncoding("utf8");
        for await (const chunk of response as AsyncIterable<string>) {
          buffered += chunk;
          let newline = buffered.indexOf("\n");
          while (newline >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) onEvent(JSON.parse(line) as WatchEvent<T>);
            newline = buffered.indexOf("\n");
          }
        }
        finish(abort.signal.aborted ? abort.signal.reason : null);
      })
      .catch(finish);
    return abort;
  }

  /** Sends the request; resolves with the response once its headers arrive. */
  private async open(
    method: string,
    path: string,
    options: Omit<RequestOptions, "timeoutMs"> & { signal: AbortSignal; idleTimeoutMs?: number },
  ): Promise<IncomingMessage> {
    const { connection, agent } = this.endpoint;
    const url = new URL(connection.server + path);
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: "application/json", ...connection.headers };
    if (body !== undefined) {
      headers["content-type"] = options.contentType ?? "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent, signal: options.signal }, resolve);
      // A watch has no deadline, but a silent one is a dead connection (a quiet watch still gets bookmarks).
      const idle = options.idleTimeoutMs;
      if (idle) req.setTimeout(idle, () => req.destroy(new Error(`watch ${path}: nothing for ${idle} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }
}

async function readAll(response: IncomingMessage): Promise<string> {
  response.setEncoding("utf8");
  let text = "";
  for await (const chunk of response as AsyncIterable<string>) text += chunk;
  return text;
}

/** Every patch Harbormaster sends is a merge patch: CRDs take no strategic merge, and JSON Patch needs paths. */
export const mergePatchType = "application/merge-patch+json";

export function isStatus(error: unknown, code: number): boolean {
  return error instanceof KubernetesApiError && error.code === code;
}

/** For `.catch`: these statuses become `undefined`, anything else is thrown again. */
export function ignoreStatus(...codes: number[]) {
  return (error: unknown): undefined => {
    if (error instanceof KubernetesApiError && codes.includes(error.code)) return undefined;
    throw error;
  };
}
