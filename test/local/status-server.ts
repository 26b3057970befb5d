// Serves the live view and its state over node:http on loopback; scenarios post timeline entries to it.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { slackPage } from "./slack-page.ts";
import type { Snapshot } from "./snapshot.ts";
import { statusPage } from "./status-page.ts";
import { type Timeline, timelineEntrySchema } from "./timeline.ts";

async function body(request: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let text = "";
  for await (const chunk of request) {
    text += chunk;
    if (text.length > limit) throw new Error("body too large");
  }
  return text;
}

export interface SlackView {
  state(): unknown;
  command(text: string): Promise<{ status: number; body: string }>;
  /** Clicks Run on a confirm prompt: the button's value comes back signed, as Slack sends it. */
  confirm(value: string): Promise<{ status: number; body: string }>;
}

export async function startStatusServer(
  timeline: Timeline,
  snapshot: () => Promise<Snapshot>,
  slack?: SlackView,
  port = 0,
) {
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://local");
      if (request.method === "GET" && url.pathname === "/") {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(statusPage);
      } else if (request.method === "GET" && url.pathname === "/api/state") {
        const state = { snapshot: await snapshot(), timeline: timeline.since(Date.now() - 15 * 60_000) };
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(state));
      } else if (request.method === "POST" && url.pathname === "/api/timeline") {
        const entries = timelineEntrySchema
          .array()
          .max(1000)
          .parse(JSON.parse(await body(request)));
        for (const entry of entries) timeline.add(entry);
        response.writeHead(204).end();
      } else if (slack && request.method === "GET" && url.pathname === "/slack") {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(slackPage);
      } else if (slack && request.method === "GET" && url.pathname === "/api/slack") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(slack.state()));
      } else if (slack && request.method === "POST" && url.pathname === "/api/slack/command") {
        const { text } = z.object({ text: z.string().max(500) }).parse(JSON.parse(await body(request)));
        const answer = await slack.command(text);
        response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
      } else if (slack && request.method === "POST" && url.pathname === "/api/slack/confirm") {
        const { value } = z.object({ value: z.string().max(600) }).parse(JSON.parse(await body(request)));
        const answer = await slack.confirm(value);
        response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
      } else {
        response.writeHead(404).end();
      }
    } catch (error) {
      response.writeHead(400, { "content-type": "text/plain" }).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
