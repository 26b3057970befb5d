// Requests as Slack sends them, signed by the test, and a Function URL frontend that turns real HTTP
// requests into the Lambda events the command handler receives.
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { lambdaContext } from "./lambda.ts";

export const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";

export interface SignedBody {
  body: string;
  headers: Record<string, string>;
}

/** Signs `body` as Slack does; `timestamp` (seconds) defaults to now. */
export function sign(body: string, options: { secret?: string; timestamp?: number } = {}): SignedBody {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const digest = createHmac("sha256", options.secret ?? signingSecret)
    .update(`v0:${timestamp}:${body}`)
    .digest("hex");
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": `v0=${digest}`,
    },
  };
}

export interface SlashCommandFields {
  text: string;
  user?: string;
  channel?: string;
  command?: string;
  responseUrl: string;
}

export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: "T0001",
    team_domain: "harbor",
    channel_id: fields.channel ?? "C0OPS",
    channel_name: "ops",
    user_id: fields.user ?? "U0ALICE",
    user_name: "alice",
    command: fields.command ?? "/harbormaster",
    text: fields.text,
    api_app_id: "A0001",
    response_url: fields.responseUrl,
    trigger_id: "13345224609.738474920.8088930838d88f008e0",
  }).toString();
}

/** The block_actions payload Slack sends when someone clicks a button of a confirm prompt. */
export function buttonBody(options: {
  actionId: string;
  value?: string;
  user?: string;
  channel?: string;
  responseUrl: string;
}): string {
  const payload = {
    type: "block_actions",
    user: { id: options.user ?? "U0ALICE", username: "alice" },
    team: { id: "T0001" },
    channel: { id: options.channel ?? "C0OPS" },
    response_url: options.responseUrl,
    trigger_id: "1.2.3",
    actions: [{ action_id: options.actionId, value: options.value, type: "button", block_id: "b" }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

type UrlHandler = (event: LambdaFunctionURLEvent, context: Context) => Promise<LambdaFunctionURLResult>;

/** Lambda's Function URL in front of a handler: a real HTTP server on loopback, base64 bodies as Lambda sends them. */
export async function functionUrl(handler: UrlHandler): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(",") : (value ?? "")]),
    );
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: req.url ?? "/",
      rawQueryString: "",
      headers,
      isBase64Encoded: true,
      body: body.toString("base64"),
      requestContext: {
        http: {
          method: req.method ?? "GET",
          path: req.url ?? "/",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "",
        },
        requestId: crypto.randomUUID(),
        timeEpoch: Date.now(),
      },
    } as unknown as LambdaFunctionURLEvent;
    try {
      const result = (await handler(event, lambdaContext(3_000))) as Exclude<LambdaFunctionURLResult, string>;
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.body ?? "");
    } catch (error) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** POSTs a signed body to the Function URL; returns status and parsed body. */
export async function post(
  url: string,
  signed: SignedBody,
): Promise<{ status: number; text: string; json?: Record<string, unknown> }> {
  const response = await fetch(url, { method: "POST", headers: signed.headers, body: signed.body });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, text, json };
}
