// The curve across sizes, as a dependency-free SVG (docs/interruptions-at-scale.svg):
// left, drain throughput against the number of lost nodes, for each arm and for the computed limit;
// right, the share of pods still on the lost nodes over time, one line per run.
//
//   node test/bench/interruption/chart.ts
//
// It reads the benchmark's per-size results (test/bench/results/interruption-<nodes>x<pods>.json, git-ignored)
// and the limit's terms (interruption-limit.json), writes their summary to docs/interruptions-at-scale.json
// (committed), and draws the SVG from that summary, so the chart can be redrawn without rerunning.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LimitTerms, limitSeconds } from "./limit-model.ts";

interface Run {
  tool: string;
  allCordonedMs: number | null;
  allDrainedMs: number | null;
  podsDrained: number;
  podsPerSecond: number;
  movedInWarning?: number;
  timeline?: [number, number][];
  requests?: { total: number };
  server?: { throttled: number };
  concurrency?: { peak: number };
  loadavg?: number[];
  variant?: string;
}
interface SizeResults {
  size: { nodes: number; podsPerNode: number };
  runs: Run[];
}
interface Point {
  tool: string;
  nodes: number;
  pods: number;
  drainedS: number | null;
  cordonedS: number | null;
  movedInWarning: number;
  podsDrained: number;
  podsPerSecond: number;
  peakConcurrency?: number;
  requestsPerPod?: number;
  throttled?: number;
  load?: number;
  timeline: [number, number][];
}
export interface Summary {
  terms?: LimitTerms;
  points: Point[];
}

const results = join(import.meta.dirname, "..", "results");
const docs = join(import.meta.dirname, "..", "..", "..", "docs");
const summaryFile = join(docs, "interruptions-at-scale.json");

function collect(): Summary {
  const files = existsSync(results) ? readdirSync(results).filter((f) => /^interruption-\d+x\d+\.json$/.test(f)) : [];
  if (files.length === 0) return JSON.parse(readFileSync(summaryFile, "utf8")) as Summary;
  const points: Point[] = [];
  for (const file of files) {
    const data = JSON.parse(readFileSync(join(results, file), "utf8")) as SizeResults;
    const pods = data.size.nodes * data.size.podsPerNode;
    for (const run of data.runs)
      points.push({
        tool: run.variant ? `${run.tool} (${run.variant})` : run.tool,
        nodes: data.size.nodes,
        pods,
        drainedS: run.allDrainedMs === null ? null : run.allDrainedMs / 1000,
        cordonedS: run.allCordonedMs === null ? null : run.allCordonedMs / 1000,
        movedInWarning: run.movedInWarning ?? run.podsDrained,
        podsDrained: run.podsDrained,
        podsPerSecond: run.podsPerSecond,
        peakConcurrency: run.concurrency?.peak,
        requestsPerPod: run.requests
          ? Math.round((run.requests.total / Math.max(run.podsDrained, 1)) * 100) / 100
          : undefined,
        throttled: run.server?.throttled,
        load: run.loadavg?.[0],
        // Every fifth second is enough for a line.
        timeline: (run.timeline ?? []).filter((_, i) => i % 5 === 0).map(([t, left]) => [t / 1000, left / pods]),
      });
  }
  // Results are kept per machine (git-ignored): an arm and size this machine has not run keeps the
  // committed summary's points, and so do the limit's terms, so a partial rerun redraws the whole curve.
  const committed = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, "utf8")) as Summary) : undefined;
  // Only arms this machine ran at some size: an arm of older code is not carried forward.
  const ran = new Set(points.map((p) => `${p.tool}@${p.nodes}`));
  const arms = new Set(points.map((p) => p.tool));
  for (const old of committed?.points ?? [])
    if (arms.has(old.tool) && !ran.has(`${old.tool}@${old.nodes}`)) points.push(old);
  const limitFile = join(results, "interruption-limit.json");
  const terms = existsSync(limitFile) ? (JSON.parse(readFileSync(limitFile, "utf8")) as LimitTerms) : committed?.terms;
  // A run with no drain stage measured the cordons alone: not a point on a throughput curve. Runs marked
  // "earlier code" (by hand, in this machine's results) stay in the tables of the doc, not on the curve.
  const drawn = points.filter((p) => !p.tool.includes("cordons only") && !p.tool.includes("earlier code"));
  return { terms, points: drawn.sort((a, b) => a.nodes - b.nodes || a.tool.localeCompare(b.tool)) };
}

const colors: Record<string, string> = {
  bare: "#000",
  "bare-queue": "#7f7f7f",
  "harbormaster (one stage)": "#9467bd",
  "harbormaster (drain max 5)": "#17becf",
  "harbormaster (drain max 5, slices overran)": "#8c564b",
  "harbormaster (drain max 2, slices overran)": "#ff7f0e",
  "harbormaster (fixed slices)": "#bcbd22",
  harbormaster: "#1f77b4",
  "two-clusters": "#2ca02c",
  nth: "#d62728",
};
const labels: Record<string, string> = {
  bare: "bare evictions (the limit, measured)",
  "bare-queue": "bare, fed by the queue (the limit for any tool)",
  nth: "aws-node-termination-handler",
  harbormaster: "harbormaster (as deployed)",
};

export function chart(summary: Summary): string {
  const width = 1000;
  const height = 450;
  const panel = { top: 50, bottom: 360 };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12" role="img">`,
    "<title>Interruptions at scale: drain throughput by size, and pods left over time</title>",
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  const sizes = [...new Set(summary.points.map((p) => p.nodes))].sort((a, b) => a - b);

  // Left: pods/s against nodes (log x).
  const L = { left: 70, right: 450 };
  const xMin = Math.log10(Math.min(...sizes, 100) / 1.3);
  const xMax = Math.log10(Math.max(...sizes, 1000) * 1.3);
  // The model's bound is drawn out to 1,000 nodes, measured or not.
  const modelSizes = [...new Set([...sizes, 100, 300, 1000])].sort((a, b) => a - b);
  const limits = modelSizes.map((n) => ({ n, rate: summary.terms ? (30 * n) / limitSeconds(summary.terms, n) : 0 }));
  const yMax = Math.max(10, ...summary.points.map((p) => p.podsPerSecond), ...limits.map((l) => l.rate)) * 1.15;
  const lx = (n: number) => L.left + ((Math.log10(n) - xMin) / (xMax - xMin)) * (L.right - L.left);
  const ly = (v: number) => panel.bottom - (v / yMax) * (panel.bottom - panel.top);
  parts.push(
    `<text x="${(L.left + L.right) / 2}" y="24" text-anchor="middle" font-size="14">drain throughput (pods/s) by lost nodes</text>`,
  );
  const step = yMax > 100 ? 25 : yMax > 40 ? 10 : 5;
  for (let v = 0; v <= yMax; v += step)
    parts.push(
      `<line x1="${L.left}" x2="${L.right}" y1="${ly(v)}" y2="${ly(v)}" stroke="#eee"/>`,
      `<text x="${L.left - 6}" y="${ly(v) + 4}" text-anchor="end">${v}</text>`,
    );
  for (const n of modelSizes)
    parts.push(`<text x="${lx(n)}" y="${panel.bottom + 16}" text-anchor="middle">${n} nodes</text>`);
  if (summary.terms) {
    parts.push(
      polyline(
        limits.map((l) => [lx(l.n), ly(l.rate)]),
        "#888",
        "6 4",
      ),
    );
    for (const l of limits) parts.push(dot(lx(l.n), ly(l.rate), "#888"));
  }
  for (const tool of Object.keys(colors)) {
    const mine = summary.points.filter((p) => p.tool === tool);
    if (mine.length === 0) continue;
    const medians = sizes
      .map((n) => ({ n, v: median(mine.filter((p) => p.nodes === n).map((p) => p.podsPerSecond)) }))
      .filter((m) => m.v !== undefined) as { n: number; v: number }[];
    parts.push(
      polyline(
        medians.map((m) => [lx(m.n), ly(m.v)]),
        colors[tool] ?? "#333",
      ),
    );
    for (const p of mine) parts.push(dot(lx(p.nodes), ly(p.podsPerSecond), colors[tool] ?? "#333"));
  }

  // Right: share of pods left on the lost nodes over time.
  const R = { left: 540, right: 980 };
  const tMax = Math.max(130, ...summary.points.flatMap((p) => p.timeline.map(([t]) => t)));
  const rx = (t: number) => R.left + (t / tMax) * (R.right - R.left);
  const ry = (share: number) => panel.bottom - (1 - share) * 0 - share * (panel.bottom - panel.top);
  parts.push(
    `<text x="${(R.left + R.right) / 2}" y="24" text-anchor="middle" font-size="14">share of pods still on lost nodes</text>`,
  );
  for (let s = 0; s <= 1.0001; s += 0.25)
    parts.push(
      `<line x1="${R.left}" x2="${R.right}" y1="${ry(s)}" y2="${ry(s)}" stroke="#eee"/>`,
      `<text x="${R.left - 6}" y="${ry(s) + 4}" text-anchor="end">${Math.round(s * 100)}%</text>`,
    );
  for (let t = 0; t <= tMax; t += 30)
    parts.push(`<text x="${rx(t)}" y="${panel.bottom + 16}" text-anchor="middle">${t} s</text>`);
  parts.push(
    `<line x1="${rx(120)}" x2="${rx(120)}" y1="${panel.top}" y2="${panel.bottom}" stroke="#999" stroke-dasharray="3 3"/>`,
    `<text x="${rx(120) + 4}" y="${panel.top + 12}" fill="#666">120 s: instances reclaimed</text>`,
  );
  const dashes = ["", "8 3", "2 3"];
  for (const p of summary.points) {
    const dash = dashes[Math.max(0, sizes.indexOf(p.nodes)) % dashes.length] ?? "";
    parts.push(
      polyline(
        p.timeline.map(([t, s]) => [rx(t), ry(s)]),
        colors[p.tool] ?? "#333",
        dash,
        1.2,
      ),
    );
  }

  // Legend.
  const legend = [
    ...Object.keys(colors)
      .filter((tool) => summary.points.some((p) => p.tool === tool))
      .map((tool) => ({
        label: labels[tool] ?? tool,
        color: colors[tool] ?? "#333",
        dash: "",
      })),
    ...(summary.terms ? [{ label: "the model's bound (limit-model.ts)", color: "#888", dash: "6 4" }] : []),
    ...sizes.map((n, i) => ({ label: `right: ${n} nodes`, color: "#555", dash: dashes[i % dashes.length] ?? "" })),
  ];
  legend.forEach((entry, i) => {
    const x = 40 + (i % 3) * 320;
    const y = panel.bottom + 38 + Math.floor(i / 3) * 15;
    parts.push(
      `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${entry.color}" stroke-width="2" ${entry.dash ? `stroke-dasharray="${entry.dash}"` : ""}/>`,
      `<text x="${x + 30}" y="${y}">${entry.label}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** The runs as the doc's markdown table. */
export function table(summary: Summary): string {
  const s = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? "—" : v.toFixed(digits));
  const rows = summary.points.map((p) =>
    [
      p.nodes,
      p.tool,
      s(p.cordonedS),
      p.drainedS === null ? `not all (${p.podsDrained.toLocaleString("en")} moved)` : s(p.drainedS),
      `${p.movedInWarning.toLocaleString("en")} of ${p.pods.toLocaleString("en")}`,
      s(p.podsPerSecond),
      p.peakConcurrency ?? "—",
      s(p.requestsPerPod, 2),
      p.throttled ?? "—",
      s(p.load),
    ].join(" | "),
  );
  const head =
    "| nodes | arm | all cordoned (s) | all drained (s) | moved within 120 s | pods/s | Lambda concurrency | handler requests / drained pod | 429s (all clients) | load |";
  const rule = `|${" --- |".repeat(10)}`;
  return `${[head, rule, ...rows.map((r) => `| ${r} |`)].join("\n")}\n`;
}

function polyline(points: [number, number][], color: string, dash = "", widthPx = 2): string {
  const d = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  return `<polyline fill="none" stroke="${color}" stroke-width="${widthPx}" ${dash ? `stroke-dasharray="${dash}"` : ""} points="${d}"/>`;
}

function dot(x: number, y: number, color: string): string {
  return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

if (import.meta.main) {
  const summary = collect();
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 1)}\n`);
  writeFileSync(join(docs, "interruptions-at-scale.svg"), chart(summary));
  // The committed summary in the repository's own format, so `biome check` passes on it as written.
  spawnSync("npx", ["biome", "format", "--write", summaryFile], { stdio: "ignore" });
  process.stdout.write(`${summary.points.length} runs → docs/interruptions-at-scale.svg\n\n${table(summary)}`);
}
