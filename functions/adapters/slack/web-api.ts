// Slack's Web API through @slack/web-api: it queues calls and honours 429 Retry-After; we add per-channel pacing.
import { WebClient } from "@slack/web-api";
import type { SlackMessage } from "../../core/slack/messages.ts";
import type { ResponseUrlMessage, SlackPort } from "../../core/slack/ports.ts";

export interface SlackWebApiOptions {
  token: string;
  /** https://slack.com/api/ in production; a local server in tests. */
  apiUrl: string;
  /** response_url must start with this (https://hooks.slack.com/): a signed request still names where we post. */
  responseUrlPrefix: string;
  /** Slack allows about one message per second per channel; bursts beyond it are answered 429. */
  channelIntervalMs?: number;
  requestTimeoutMs?: number;
  retries?: number;
}

export class SlackWebApi implements SlackPort {
  readonly client: WebClient;
  private readonly options: SlackWebApiOptions;
  private readonly nextSlot = new Map<string, number>();

  constructor(options: SlackWebApiOptions) {
    this.options = options;
    this.client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl,
      timeout: options.requestTimeoutMs ?? 10_000,
      // A 429 pauses the client's queue for Retry-After seconds, then the call is retried.
      retryConfig: { retries: options.retries ?? 5, factor: 2, minTimeout: 500, maxTimeout: 10_000, randomize: true },
      rejectRateLimitedCalls: false,
      maxRequestConcurrency: 5,
      // Absolute URLs as method names would let a payload steer the client elsewhere.
      allowAbsoluteUrls: false,
    });
  }

  async post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    await this.pace(channel);
    const result = await this.client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks as never,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
    });
    if (!result.ts) throw new Error(`chat.postMessage to ${channel} returned no ts`);
    return result.ts;
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
  }

  async respond(responseUrl: string, response: ResponseUrlMessage): Promise<void> {
    if (!responseUrl.startsWith(this.options.responseUrlPrefix))
      throw new Error(`response_url outside ${this.options.responseUrlPrefix}`);
    for (let attempt = 0; ; attempt++) {
      const reply = await fetch(responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(response),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
        redirect: "error",
      });
      const retryAfter = Number(reply.headers.get("retry-after"));
      if (reply.status === 429 && attempt < (this.options.retries ?? 5) && Number.isFinite(retryAfter)) {
        await reply.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
        continue;
      }
      const body = await reply.text();
      if (!reply.ok) throw new Error(`response_url answered ${reply.status}: ${body.slice(0, 200)}`);
      return;
    }
  }

  // Spaces posts to one channel so a burst (an AZ losing a hundred nodes) is not answered 429 at all.
  private async pace(channel: string): Promise<void> {
    const interval = this.options.channelIntervalMs ?? 1_000;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(channel) ?? 0);
    this.nextSlot.set(channel, slot + interval);
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}
