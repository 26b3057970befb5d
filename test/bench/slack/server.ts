// A warm function: the bundled handler behind a Function URL on loopback. Prints its URL, then on a line
// "rss" prints its peak RSS and exits. Run by run.ts.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { functionUrl } from "../../helpers/slack-requests.ts";

const [bundle = ""] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const front = await functionUrl(handler);
process.stdout.write(`${front.url}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "rss") {
    process.stdout.write(`${JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
    await front.close();
    process.exit(0);
  }
}
