// The physical limit: the same resize done by sharp in this process on photos already in memory, with
// no HTTP, download, queue or framework. Run as a child so its memory is measured on its own.
//   node inprocess.ts <photos dir> <scenario> <concurrency> <durationMs>   → one JSON line on stdout
// With PACE_FD set, it writes one byte to that descriptor per image done, so the bench can send the same
// load-generator traffic per image as it sends to a proxy (see run.ts).
import { readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { summarise } from "./load.ts";
import { scenarios } from "./scenarios.ts";

const [dir = ".", scenarioName = "fit512", concurrencyText = "2", durationText = "3000"] = process.argv.slice(2);
const scenario = scenarios[scenarioName as keyof typeof scenarios];
// Same libvips settings as the service: no operation cache, one thread per image, parallel images.
sharp.cache(false);
sharp.concurrency(1);
const names = (process.env.PHOTOS ?? "").split(",");
const photos = names.map((name) => readFileSync(join(dir, name)));
const pace = process.env.PACE_FD ? Number(process.env.PACE_FD) : undefined;
const tick = Buffer.from([1]);
const latencies: number[] = [];
let bytes = 0;
let next = 0;
const cpu0 = process.cpuUsage();
const started = performance.now();
const deadline = started + Number(durationText);
const worker = async () => {
  while (performance.now() < deadline) {
    const input = photos[next++ % photos.length] as Buffer;
    const t0 = performance.now();
    const out = await sharp(input, { failOn: "warning", autoOrient: true })
      .resize({ width: scenario.width, height: scenario.height, fit: scenario.fit, withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
    latencies.push(performance.now() - t0);
    bytes += out.length;
    if (pace !== undefined) writeSync(pace, tick);
  }
};
await Promise.all(Array.from({ length: Number(concurrencyText) }, worker));
const seconds = (performance.now() - started) / 1000;
const { user, system } = process.cpuUsage(cpu0);
const cpuMs = (user + system) / 1000;
process.stdout.write(`${JSON.stringify({ ...summarise(latencies, 0, bytes, seconds), cpuMs })}\n`);
