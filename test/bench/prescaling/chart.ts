import type { Outcome } from "./simulate.ts";

// A dependency-free SVG: demand against serving capacity over time, one line per strategy.

const colors = ["#d62728", "#ff7f0e", "#9467bd", "#2ca02c"];

export function spikeChart(outcomes: Outcome[], title: string): string {
  const width = 900;
  const height = 420;
  const pad = { left: 70, right: 20, top: 40, bottom: 120 };
  const series = outcomes[0]?.series ?? [];
  const tMax = series.at(-1)?.t ?? 1;
  const yMax = Math.max(...outcomes.flatMap((o) => o.series.flatMap((p) => [p.rps, p.capacity]))) * 1.1;
  const x = (t: number) => pad.left + (t / tMax) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / yMax) * (height - pad.top - pad.bottom);
  const line = (points: [number, number][], color: string, dash = "") =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ""} points="${points
      .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
      .join(" ")}"/>`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>${title}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>`,
  ];
  for (let v = 0; v <= yMax; v += 5_000) {
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end">${v / 1000}k</text>`,
    );
  }
  for (let t = 0; t <= tMax; t += 300) {
    parts.push(`<text x="${x(t)}" y="${height - pad.bottom + 16}" text-anchor="middle">${t / 60} min</text>`);
  }
  parts.push(
    `<text x="16" y="${(pad.top + height - pad.bottom) / 2}" transform="rotate(-90 16 ${(pad.top + height - pad.bottom) / 2})" text-anchor="middle">requests per second</text>`,
  );
  parts.push(
    line(
      series.map((p) => [p.t, p.rps]),
      "#000",
      "6 4",
    ),
  );
  outcomes.forEach((o, i) => {
    parts.push(
      line(
        o.series.map((p) => [p.t, p.capacity]),
        colors[i % colors.length] ?? "#333",
      ),
    );
  });
  const legend = [
    { label: "demand", color: "#000" },
    ...outcomes.map((o, i) => ({
      label: `${o.strategy}: ${(o.failedShare * 100).toFixed(2)}% of requests failed`,
      color: colors[i % colors.length] ?? "#333",
    })),
  ];
  legend.forEach((entry, i) => {
    const ly = height - pad.bottom + 36 + i * 16;
    parts.push(
      `<line x1="${pad.left}" x2="${pad.left + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${entry.color}" stroke-width="2"/>`,
      `<text x="${pad.left + 30}" y="${ly}">${entry.label} </text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
