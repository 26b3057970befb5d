// A real HTTP server on loopback that speaks the shape of Slack's Web API (chat.postMessage, chat.update,
// chat.postEphemeral, views.open) and takes response_url posts. It records every call, keeps each channel's
// messages and threads, enforces one message per second per channel like Slack does, and answers
// 429 + Retry-After or 5xx on demand.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackCall {
  method: string;
  /** Arguments as sent; JSON-encoded fields (blocks, metadata) are decoded. */
  args: Record<string, unknown>;
  at: number;
  /** The status this server answered. */
  status: number;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  updates: number;
}

export interface SlackServerOptions {
  token?: string;
  /**
   * Answer 429 when a channel gets a second postMessage within a second (Slack's documented limit). Arrivals
   * 500 ms apart pass: requests sent a second apart reach a server with jitter (hundreds of milliseconds on a
   * loaded 2-core machine), and Slack allows bursts. Unpaced posts arrive milliseconds apart and still fail.
   */
  enforceChannelRate?: boolean;
}

export class SlackServer {
  readonly calls: SlackCall[] = [];
  readonly responses: { path: string; body: Record<string, unknown>; at: number }[] = [];
  readonly messages: PostedMessage[] = [];
  private readonly server: Server;
  private readonly options: SlackServerOptions;
  private readonly faults = new Map<string, { status: number; retryAfter?: number; remaining: number }[]>();
  private readonly lastPost = new Map<string, number>();
  private counter = 0;

  private constructor(options: SlackServerOptions) {
    this.options = options;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(options: SlackServerOptions = {}): Promise<SlackServer> {
    const slack = new SlackServer(options);
    slack.server.listen(0, "127.0.0.1");
    await once(slack.server, "listening");
    return slack;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What @slack/web-api's `slackApiUrl` should be. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url of this server; what is posted to it lands in `responses`. */
  responseUrl(id = String(++this.counter)): string {
    return `${this.url}/response/${id}`;
  }

  /** The next `times` calls of `method` are answered 429 with Retry-After (seconds). */
  rateLimit(method: string, retryAfterSeconds: number, times = 1): void {
    this.fault(method, { status: 429, retryAfter: retryAfterSeconds, remaining: times });
  }

  /** The next `times` calls of `method` fail with `status` (an outage). */
  failNext(method: string, status: number, times = 1): void {
    this.fault(method, { status, remaining: times });
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  inChannel(channel: string): PostedMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close").catch(() => {});
  }

  private fault(method: string, fault: { status: number; retryAfter?: number; remaining: number }) {
    this.faults.set(method, [...(this.faults.get(method) ?? []), fault]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", this.url).pathname;
    if (path.startsWith("/response/")) {
      this.responses.push({ path, body: JSON.parse(raw || "{}"), at: Date.now() });
      return send(res, 200, "ok", "text/plain");
    }
    if (!path.startsWith("/api/")) return send(res, 404, "not found", "text/plain");
    const method = path.slice("/api/".length);
    const args = parseArgs(raw, req.headers["content-type"]);
    const call: SlackCall = { method, args, at: Date.now(), status: 200 };
    this.calls.push(call);

    const fault = this.nextFault(method);
    if (fault) {
      call.status = fault.status;
      if (fault.retryAfter !== undefined) res.setHeader("retry-after", String(fault.retryAfter));
      return send(res, fault.status, JSON.stringify({ ok: false, error: "ratelimited" }));
    }
    const expected = this.options.token;
    if (expected && req.headers.authorization !== `Bearer ${expected}`)
      return this.ok(res, { ok: false, error: "invalid_auth" });
    this.answer(method, args, call, res);
  }

  private answer(method: string, args: Record<string, unknown>, call: SlackCall, res: ServerResponse) {
    const channel = String(args.channel ?? "");
    switch (method) {
      case "chat.postMessage": {
        if (!channel) return this.ok(res, { ok: false, error: "channel_not_found" });
        const now = Date.now();
        if (this.options.enforceChannelRate && now - (this.lastPost.get(channel) ?? 0) < 500) {
          call.status = 429;
          res.setHeader("retry-after", "1");
          return send(res, 429, JSON.stringify({ ok: false, error: "ratelimited" }));
        }
        this.lastPost.set(channel, now);
        const ts = `${Math.floor(now / 1000)}.${String(++this.counter).padStart(6, "0")}`;
        const message: PostedMessage = {
          channel,
          ts,
          threadTs: args.thread_ts ? String(args.thread_ts) : undefined,
          text: String(args.text ?? ""),
          blocks: args.blocks as unknown[] | undefined,
          updates: 0,
        };
        if (message.threadTs && !this.messages.some((m) => m.channel === channel && m.ts === message.threadTs))
          return this.ok(res, { ok: false, error: "thread_not_found" });
        this.messages.push(message);
        return this.ok(res, { ok: true, channel, ts, message: { text: message.text, ts } });
      }
      case "chat.update": {
        const message = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
        if (!message) return this.ok(res, { ok: false, error: "message_not_found" });
        message.text = String(args.text ?? "");
        message.blocks = args.blocks as unknown[] | undefined;
        message.updates++;
        return this.ok(res, { ok: true, channel, ts: message.ts, text: message.text });
      }
      case "chat.postEphemeral":
        return this.ok(res, { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.000000` });
      case "views.open":
        return this.ok(res, { ok: true, view: { id: `V${++this.counter}` } });
      case "auth.test":
        return this.ok(res, { ok: true, user_id: "UBOT", team_id: "T1" });
      default:
        return this.ok(res, { ok: false, error: "unknown_method" });
    }
  }

  private nextFault(method: string) {
    const queue = this.faults.get(method);
    const fault = queue?.[0];
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) queue.shift();
    return fault;
  }

  private ok(res: ServerResponse, body: Record<string, unknown>) {
    send(res, 200, JSON.stringify(body));
  }
}

function send(res: ServerResponse, status: number, body: string, type = "application/json") {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) return JSON.parse(raw || "{}");
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
