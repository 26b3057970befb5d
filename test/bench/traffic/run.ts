// Rollback latency: from an alarm entering ALARM to the Route53 weights being back at the baseline.
// A = Harbormaster: the ALARM state-change event, pushed through EventBridge (rule → queue → handler).
// B = polling, as CodeDeploy watches its deployment group's alarms: DescribeAlarms every P seconds, then
//     the same rollback. CodeDeploy documents polling (IgnorePollAlarmFailure) but no interval; P is an argument.
// Usage: npm run bench:traffic -- [pairs=5] [pollSeconds=60]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { CloudWatchAlarms } from "../../../functions/adapters/traffic/cloudwatch-alarms.ts";
import { scenario, startMoto } from "./stack.ts";

const pairs = Number(process.argv[2] ?? 5);
const pollSeconds = Number(process.argv[3] ?? 60);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => process.stderr.write(`${text}\n`);

async function rolledBackAfter(t0: number, greenWeight: () => Promise<number | undefined>): Promise<number> {
  for (;;) {
    if ((await greenWeight()) === 0) return performance.now() - t0;
    if (performance.now() - t0 > (pollSeconds + 30) * 1000) throw new Error("no rollback");
    await sleep(5);
  }
}

/** A: CloudWatch emits the state change; EventBridge routes it; the function rolls back. */
async function push(): Promise<number> {
  const s = await scenario();
  let stop = false;
  const eventSource = (async () => {
    while (!stop) {
      const { Messages = [] } = await s.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: s.queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
      );
      for (const m of Messages) {
        await s.invoke(JSON.parse(m.Body ?? "{}"));
        await s.sqs.send(new DeleteMessageCommand({ QueueUrl: s.queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  })();
  await sleep(200); // the event source is waiting on the queue, as Lambda's is
  const t0 = performance.now();
  await s.setAlarm("ALARM");
  await s.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: s.bus,
          Source: "aws.cloudwatch",
          DetailType: "CloudWatch Alarm State Change",
          Detail: JSON.stringify({ alarmName: s.alarm, state: { value: "ALARM", reason: "bench" } }),
        },
      ],
    }),
  );
  const ms = await rolledBackAfter(t0, s.greenWeight);
  stop = true;
  await eventSource;
  return ms;
}

/** B: a poller reads the alarm every P seconds; the alarm fires at a random phase of its cycle. */
async function poll(): Promise<number> {
  const s = await scenario();
  const alarms = new CloudWatchAlarms();
  let stop = false;
  const poller = (async () => {
    while (!stop) {
      const [state] = await alarms.describe([s.alarm]);
      if (state?.state === "ALARM") {
        await s.invoke({
          id: "poll",
          source: "aws.cloudwatch",
          "detail-type": "CloudWatch Alarm State Change",
          time: new Date().toISOString(),
          detail: { alarmName: s.alarm, state: { value: "ALARM", reason: "polled" } },
        });
        return;
      }
      await sleep(pollSeconds * 1000);
    }
  })();
  await sleep(Math.random() * pollSeconds * 1000);
  const t0 = performance.now();
  await s.setAlarm("ALARM");
  const ms = await rolledBackAfter(t0, s.greenWeight);
  stop = true;
  await poller;
  return ms;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN, runs: values.length };
}

const moto = await startMoto();
process.env.AWS_ENDPOINT_URL = moto.endpoint;
process.env.AWS_REGION ??= "us-east-2";
process.env.AWS_ACCESS_KEY_ID = "bench";
process.env.AWS_SECRET_ACCESS_KEY = "bench";
process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
process.env.POWERTOOLS_METRICS_DISABLED = "true";
const runs: { pair: number; push: number; poll: number }[] = [];
try {
  for (let pair = 0; pair <= pairs; pair++) {
    const label = pair === 0 ? "warm-up" : `pair ${pair}/${pairs}`;
    const a = await push();
    log(`${label}: push ${a.toFixed(0)} ms`);
    const b = await poll();
    log(`${label}: poll every ${pollSeconds} s ${b.toFixed(0)} ms`);
    if (pair > 0) runs.push({ pair, push: a, poll: b });
  }
} finally {
  moto.child.kill("SIGTERM");
}
const a = stats(runs.map((r) => r.push));
const b = stats(runs.map((r) => r.poll));
const rssMiB = process.resourceUsage().maxRSS / 1024;
const row = (name: string, s: ReturnType<typeof stats>) =>
  `| ${name.padEnd(44)} | ${s.p50.toFixed(0).padStart(7)} | ${s.p99.toFixed(0).padStart(7)} | ${s.max.toFixed(0).padStart(7)} |`;
console.log(`\nALARM → weights rolled back, ${runs.length} pairs after a warm-up, concurrency 1, 2 cores`);
console.log(`| ${"path".padEnd(44)} | p50 ms  | p99 ms  | max ms  |`);
console.log(`| ${"-".repeat(44)} | ------- | ------- | ------- |`);
console.log(row("Harbormaster: state-change event (push)", a));
console.log(row(`polling DescribeAlarms every ${pollSeconds} s`, b));
console.log(
  `ratio of medians (poll / push): ${(b.p50 / a.p50).toFixed(0)}×; target ≤ 5000 ms p50: ${a.p50 <= 5000 ? "met" : "missed"}`,
);
console.log(`peak RSS of the bench process (handler in-process): ${rssMiB.toFixed(0)} MiB`);
const out = join(import.meta.dirname, "..", "results");
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "traffic.json"),
  JSON.stringify({ pairs, pollSeconds, runs, push: a, poll: b, rssMiB }, null, 2),
);
