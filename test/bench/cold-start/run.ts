// bench:cold-start — each Lambda bundle's size and its cold start (module import + init) in fresh
// processes, built exactly as the stacks deploy it (AWS SDK from the runtime's node_modules) and, side by
// side, with the SDK inside the bundle; both alternate with an empty handler (the physical limit).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { deployedFunctionEnv } from "../../fixtures/function-env.ts";
import { type Bundle, bundle, emptyHandler, entries, outputDir, sdkBundled } from "./bundle.ts";

const run = promisify(execFile);
const pairs = Number(process.env.PAIRS ?? 15);
const sizeTarget = 1024 * 1024;
const tmp = mkdtempSync(join(tmpdir(), "harbormaster-cold-start-"));
const probe = join(import.meta.dirname, "probe.ts");

// The environment a deployed function gets; each bundle parses its part at cold start.
const env = deployedFunctionEnv(tmp);

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

const stats = (values: number[]) => ({ p50: pct(values, 50), p99: pct(values, 99), max: Math.max(...values) });
const fmt = (n: number) => n.toFixed(0).padStart(5);
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`.padStart(8);
const top = (b: Pick<Bundle, "packages">, n: number) =>
  b.packages
    .slice(0, n)
    .map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)}`)
    .join(", ");

try {
  process.stderr.write("bundling...\n");
  const deployedDir = outputDir(join(tmp, "deployed"));
  const bundledDir = outputDir(join(tmp, "sdk-bundled"));
  const names = entries();
  const deployed = await Promise.all(names.map((name) => bundle(name, deployedDir)));
  const withSdk = await Promise.all(names.map((name) => bundle(name, bundledDir, sdkBundled)));
  const empty = emptyHandler(tmp);

  const results = [];
  for (const [i, d] of deployed.entries()) {
    const s = withSdk[i] as Bundle;
    const samples = { deployed: [] as Sample[], sdkBundled: [] as Sample[], empty: [] as Sample[] };
    for (const b of [d, s, empty]) await once(b); // warm-up: the file system cache, not the code under test
    for (let k = 0; k < pairs; k++) {
      // Alternate which build goes first, so neither always follows the empty handler.
      const order = k % 2 === 0 ? ([d, s] as const) : ([s, d] as const);
      for (const b of order) (b === d ? samples.deployed : samples.sdkBundled).push(await once(b));
      samples.empty.push(await once(empty));
      process.stderr.write(`\r${d.name}: round ${k + 1}/${pairs}   `);
    }
    process.stderr.write("\n");
    results.push({
      name: d.name,
      bytes: d.bytes,
      gzipBytes: d.gzipBytes,
      withinSizeTarget: d.bytes <= sizeTarget,
      externals: d.externals,
      packages: d.packages,
      initMs: stats(samples.deployed.map((x) => x.initMs)),
      totalMs: stats(samples.deployed.map((x) => x.totalMs)),
      peakRssMb: Math.max(...samples.deployed.map((x) => x.maxRssKb)) / 1024,
      sdkBundled: {
        bytes: s.bytes,
        gzipBytes: s.gzipBytes,
        packages: s.packages,
        initMs: stats(samples.sdkBundled.map((x) => x.initMs)),
        totalMs: stats(samples.sdkBundled.map((x) => x.totalMs)),
        peakRssMb: Math.max(...samples.sdkBundled.map((x) => x.maxRssKb)) / 1024,
      },
      emptyTotalMs: stats(samples.empty.map((x) => x.totalMs)),
      emptyPeakRssMb: Math.max(...samples.empty.map((x) => x.maxRssKb)) / 1024,
      samples,
    });
  }

  console.log(
    `\nCold start: fresh node ${process.version} per sample, ${pairs} rounds (deployed, SDK bundled, empty) after a warm-up, concurrency 1`,
  );
  console.log("deployed = as the stacks deploy it: AWS SDK external, loaded from node_modules as the runtime loads it");
  console.log(
    "bundle             deployed    gzip ≤1MB | init p50  p99 | total p50  p99 | SDK bundled  init p50  p99 | empty total p50  p99 | RSS MB dep/bundled/empty",
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(16)} ${kb(r.bytes)} ${kb(r.gzipBytes)} ${r.withinSizeTarget ? "yes" : "NO "} | ${fmt(r.initMs.p50)}${fmt(r.initMs.p99)} | ${fmt(r.totalMs.p50)}${fmt(r.totalMs.p99)} | ${kb(r.sdkBundled.bytes)}    ${fmt(r.sdkBundled.initMs.p50)}${fmt(r.sdkBundled.initMs.p99)} | ${fmt(r.emptyTotalMs.p50)}${fmt(r.emptyTotalMs.p99)}           | ${r.peakRssMb.toFixed(0)}/${r.sdkBundled.peakRssMb.toFixed(0)}/${r.emptyPeakRssMb.toFixed(0)}`,
    );
  }
  console.log("\nLargest contributors to each minified bundle (KB, esbuild metafile), deployed | SDK bundled:");
  for (const r of results) {
    console.log(`  ${r.name.padEnd(16)} ${top(r, 6)}`);
    console.log(`  ${"".padEnd(16)} | ${top(r.sdkBundled, 6)}`);
  }
  console.log("\nLeft to the runtime (imported, not bundled):");
  for (const r of results) console.log(`  ${r.name.padEnd(16)} ${r.externals.join(", ") || "(none)"}`);

  const dir = join(import.meta.dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "cold-start.json"),
    JSON.stringify({ node: process.version, pairs, sizeTarget, at: new Date().toISOString(), results }, null, 2),
  );
  console.log("\nraw samples: test/bench/results/cold-start.json");
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
