// bench:cold-start — each Lambda bundle's size, and its cold start (module import + init) in fresh
// processes, alternating with an empty handler (the physical limit): A B A B after a warm-up pair.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { deployedFunctionEnv } from "../../fixtures/function-env.ts";
import { type Bundle, bundle, emptyHandler, entries } from "./bundle.ts";

const run = promisify(execFile);
const pairs = Number(process.env.PAIRS ?? 15);
const sizeTarget = 1024 * 1024;
const out = mkdtempSync(join(tmpdir(), "harbormaster-cold-start-"));
const probe = join(import.meta.dirname, "probe.ts");

// The environment a deployed function gets; each bundle parses its part at cold start.
const env = deployedFunctionEnv(out);

interface Sample {
  bootMs: number;
  initMs: number;
  totalMs: number;
  maxRssKb: number;
}

async function once(b: Bundle): Promise<Sample> {
  const { stdout } = await run(process.execPath, [probe, b.file], { env });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Sample;
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const fmt = (n: number) => n.toFixed(1).padStart(7);
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`.padStart(9);

try {
  process.stderr.write("bundling...\n");
  const bundles = await Promise.all(entries().map((name) => bundle(name, out)));
  const empty = emptyHandler(out);

  const results = [];
  for (const b of bundles) {
    const a: Sample[] = [];
    const e: Sample[] = [];
    await once(b); // warm-up pair: the file system cache, not the code under test
    await once(empty);
    for (let i = 0; i < pairs; i++) {
      a.push(await once(b));
      e.push(await once(empty));
      process.stderr.write(`\r${b.name}: pair ${i + 1}/${pairs}   `);
    }
    process.stderr.write("\n");
    const init = a.map((s) => s.initMs);
    const total = a.map((s) => s.totalMs);
    const emptyTotal = e.map((s) => s.totalMs);
    results.push({
      name: b.name,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      withinSizeTarget: b.bytes <= sizeTarget,
      packages: b.packages,
      initMs: { p50: pct(init, 50), p99: pct(init, 99), max: Math.max(...init) },
      totalMs: { p50: pct(total, 50), p99: pct(total, 99), max: Math.max(...total) },
      emptyTotalMs: { p50: pct(emptyTotal, 50), p99: pct(emptyTotal, 99), max: Math.max(...emptyTotal) },
      peakRssMb: Math.max(...a.map((s) => s.maxRssKb)) / 1024,
      emptyPeakRssMb: Math.max(...e.map((s) => s.maxRssKb)) / 1024,
      samples: { function: a, empty: e },
    });
  }

  console.log(
    `\nCold start: fresh node ${process.version} per sample, ${pairs} A/B pairs after a warm-up, concurrency 1`,
  );
  console.log(
    "bundle            minified  gzip      ≤1 MB  init p50   p99    max  | total p50  p99 | empty p50  p99 | RSS MB",
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(17)} ${kb(r.bytes)} ${kb(r.gzipBytes)}  ${r.withinSizeTarget ? "yes" : "NO "} ${fmt(r.initMs.p50)}${fmt(r.initMs.p99)}${fmt(r.initMs.max)} |${fmt(r.totalMs.p50)}${fmt(r.totalMs.p99)} |${fmt(r.emptyTotalMs.p50)}${fmt(r.emptyTotalMs.p99)} | ${r.peakRssMb.toFixed(0)} (empty ${r.emptyPeakRssMb.toFixed(0)})`,
    );
  }
  const dir = join(import.meta.dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "cold-start.json"),
    JSON.stringify({ node: process.version, pairs, sizeTarget, at: new Date().toISOString(), results }, null, 2),
  );
  console.log("\nLargest packages in each minified bundle:");
  for (const r of results) {
    const top = r.packages.slice(0, 4).map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KB`);
    console.log(`  ${r.name.padEnd(16)} ${top.join(", ")}`);
  }
  console.log("\nraw samples: test/bench/results/cold-start.json");
} finally {
  rmSync(out, { recursive: true, force: true });
}
