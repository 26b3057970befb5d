import { describe, expect, it } from "vitest";
import { percentile } from "../../local/load.ts";
import { summary } from "../../local/scenarios/index.ts";
import { Timeline } from "../../local/timeline.ts";

describe("scenario summaries", () => {
  it("takes percentiles by rank from sorted samples", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(51);
    expect(percentile(samples, 99)).toBe(100);
    expect(percentile([], 50)).toBe(0);
  });

  it("prints one row per measurement with n, min, p50, p99 and max, and the services' load", () => {
    const text = summary(
      { measurements: [{ name: "spot warning → drained", samplesMs: [1500, 900, 2100] }], facts: {} },
      [{ target: "adserver", requests: 10, errors: 0, p50Ms: 1.25, p99Ms: 9.5 }],
    );
    const row = text.split("\n").find((line) => line.includes("spot warning → drained")) ?? "";
    expect(row.trim().split(/\s+/).slice(-5)).toEqual(["3", "900", "1500", "2100", "2100"]);
    expect(text).toMatch(/adserver\s+10\s+0\s+1\.3\s+9\.5/);
  });

  it("marks a measurement that got no sample instead of printing zeros", () => {
    const text = summary({ measurements: [{ name: "ALARM → HPA floor raised", samplesMs: [] }], facts: {} }, []);
    expect(text).toMatch(/ALARM → HPA floor raised\s+0\s+-\s+-\s+-\s+-/);
  });
});

describe("the timeline", () => {
  it("keeps the newest entries up to its limit, in order", () => {
    const timeline = new Timeline(3);
    for (let i = 1; i <= 5; i++) timeline.add({ at: i, kind: "event", source: "test", text: `e${i}` });
    expect(timeline.since().map((e) => e.text)).toEqual(["e3", "e4", "e5"]);
    expect(timeline.since(4).map((e) => e.text)).toEqual(["e5"]);
  });
});
