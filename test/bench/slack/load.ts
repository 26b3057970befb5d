// A bounded load generator: `total` signed slash commands over loopback, `concurrency` at a time.
import { performance } from "node:perf_hooks";
import { sign, slashCommandBody } from "../../helpers/slack-requests.ts";
import { type Summary, summarise } from "./stats.ts";

export async function warmLoad(url: string, total: number, concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < total) {
      next++;
      // A new response_url per request: each is a different signed request, so none is a replay.
      const signed = sign(
        slashCommandBody({ text: "status", responseUrl: `https://hooks.slack.com/commands/T/${next}/x` }),
      );
      const t0 = performance.now();
      const response = await fetch(url, { method: "POST", headers: signed.headers, body: signed.body });
      await response.text();
      latencies.push(performance.now() - t0);
      if (response.status !== 200) throw new Error(`ack answered ${response.status}`);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const summary: Summary = summarise(latencies);
  return { summary, requestsPerSecond: total / seconds };
}
