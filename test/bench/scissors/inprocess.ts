// The physical limit: the same resize done by sharp in this process on photos already in memory, with
// no HTTP, download, queue or framework. Run as a child so its memory is measured on its own.
//   node inprocess.ts <photos dir> <scenario> <concurrency> <durationMs>   → one JSON line on stdout
import { readFileSync } from "node:fs";
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
const latencies: number[] = [];
let bytes = 0;
let next = 0;
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
  }
};
await Promise.all(Array.from({ length: Number(concurrencyText) }, worker));
process.stdout.write(`${JSON.stringify(summarise(latencies, 0, bytes, (performance.now() - started) / 1000))}\n`);
