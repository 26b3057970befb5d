import { describe, expect, it } from "vitest";
import { parseSeed, SeedFileError } from "../../../src/loader/seed-file.ts";
import { campaign, creative, seed, slot } from "../../support/factories.ts";

const asJson = (value: unknown) => JSON.stringify(value);

function problems(value: unknown): string {
  try {
    parseSeed(asJson(value), "catalog.json");
  } catch (error) {
    if (error instanceof SeedFileError) return error.message;
    throw error;
  }
  throw new Error("expected the seed to be rejected");
}

describe("parseSeed", () => {
  it("reads YAML and JSON alike", () => {
    const yaml = `
slots:
  - { id: mpu, sizes: ["300x250"] }
campaigns:
  - id: c1
    schedule: { start: "2030-01-01T00:00:00Z", end: "2030-02-01T00:00:00Z" }
    dailyBudget: 100
    targeting: { slots: [mpu] }
    creatives: [{ id: x, size: 300x250, imageUrl: "https://a.example/x.png", clickUrl: "https://a.example/" }]
`;
    const fromYaml = parseSeed(yaml, "catalog.yaml");
    expect(fromYaml.campaigns[0]?.schedule.start).toBe(Date.parse("2030-01-01T00:00:00Z"));
    expect(fromYaml.campaigns[0]?.priority).toBe(0);
    expect(parseSeed(asJson(seed([campaign("c1")])), "catalog.json").campaigns[0]?.id).toBe("c1");
  });

  it("rejects text that is not JSON or YAML", () => {
    expect(() => parseSeed("{", "c.json")).toThrow("c.json is not valid JSON");
    expect(() => parseSeed("a: [", "c.yml")).toThrow("c.yml is not valid YAML");
  });

  it("rejects unknown keys, naming them", () => {
    expect(problems({ ...seed([campaign("c1")]), extra: 1 })).toMatch(/extra/);
    expect(problems({ ...seed([]), campaigns: [{ ...campaign("c1"), budget: 5 }] })).toMatch(/budget/);
  });

  it("rejects a campaign targeting a slot that does not exist", () => {
    expect(problems(seed([campaign("c1", { targeting: { slots: ["nope"] } })]))).toMatch(/no slot nope/);
  });

  it("rejects a creative whose size fits none of its slots", () => {
    const message = problems(seed([campaign("c1", { creatives: [creative("big", "970x250")] })]));
    expect(message).toMatch(/size 970x250 fits none of the campaign's slots/);
  });

  it("rejects duplicate ids, a schedule that ends before it starts, and bad values", () => {
    expect(problems(seed([campaign("c1"), campaign("c1")]))).toMatch(/campaign id c1 is used twice/);
    expect(problems(seed([campaign("c1")], [slot("mpu"), slot("mpu")]))).toMatch(/slot id mpu is used twice/);
    const backwards = { start: "2030-02-01T00:00:00Z", end: "2030-01-01T00:00:00Z" };
    expect(problems(seed([campaign("c1", { schedule: backwards })]))).toMatch(/start must be before end/);
    expect(problems(seed([campaign("c1", { dailyBudget: 0 })]))).toMatch(/dailyBudget/);
    expect(problems(seed([campaign("c1", { targeting: { slots: ["mpu"], countries: ["jp"] } })]))).toMatch(
      /ISO 3166-1/,
    );
  });
});
