// One cold start, in a fresh Node process: load the bundled module, build its handler, answer one signed
// slash command. Prints {loadMs, firstAckMs} as JSON. Run by run.ts, never by hand. Imports nothing heavy
// itself, so nothing is warmed before the clock starts.
import { createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const [bundle = ""] = process.argv.slice(2);
const start = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
const body = new URLSearchParams({
  command: "/harbormaster",
  text: "status",
  user_id: "U0ALICE",
  channel_id: "C0OPS",
  team_id: "T0001",
  // Unique per probe: two probes within one second would otherwise be the same signed request, a replay.
  response_url: `https://hooks.slack.com/commands/T0001/${process.pid}/${Date.now()}`,
}).toString();
const ts = String(Math.floor(Date.now() / 1000));
const secret = process.env.HARBORMASTER_SLACK_SIGNING_SECRET ?? "";
const signature = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
const result = await handler(
  {
    version: "2.0",
    headers: { "x-slack-request-timestamp": ts, "x-slack-signature": signature },
    isBase64Encoded: false,
    body,
    requestContext: { http: { method: "POST", path: "/" }, requestId: "cold" },
  },
  { getRemainingTimeInMillis: () => 3000, awsRequestId: "cold", functionName: "bench" },
);
const answered = performance.now();
if (result.statusCode !== 200) throw new Error(`ack failed: ${result.statusCode} ${result.body}`);
process.stdout.write(JSON.stringify({ loadMs: loaded - start, firstAckMs: answered - loaded }));
