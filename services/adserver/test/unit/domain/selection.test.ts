import { describe, expect, it } from "vitest";
import { type SlotDocument, slotDocumentSchema } from "../../../src/domain/catalog.ts";
import type { AdRequest } from "../../../src/domain/request.ts";
import { type Counters, pickWeighted, selectCreative } from "../../../src/domain/selection.ts";
import { seedSchema } from "../../../src/loader/seed-file.ts";
import { slotDocuments } from "../../../src/loader/write-catalog.ts";
import { campaign, creative, seed, slot } from "../../support/factories.ts";

const NOON = Date.parse("2030-06-15T12:00:00Z");
const request: AdRequest = { slot: "mpu", uid: "u1", device: "mobile", country: "JP" };
const noCounts: Counters = { deliveredToday: () => 0, userCount: () => 0 };

function documentFor(
  campaigns: Parameters<typeof seed>[0],
  slots = [slot("mpu", ["300x250", "728x90"])],
): SlotDocument {
  const [document] = slotDocuments(seedSchema.parse(seed(campaigns, slots)));
  return slotDocumentSchema.parse(document);
}

function choose(document: SlotDocument, overrides: Partial<Parameters<typeof selectCreative>[0]> = {}) {
  return selectCreative({ document, request, counters: noCounts, now: NOON, random: () => 0, ...overrides });
}

describe("selectCreative", () => {
  it("prefers the highest priority among eligible campaigns", () => {
    const document = documentFor([campaign("low", { priority: 1 }), campaign("high", { priority: 5 })]);
    expect(choose(document)?.campaign.id).toBe("high");
  });

  it("skips campaigns outside their schedule", () => {
    const document = documentFor([
      campaign("ended", { priority: 9, schedule: { start: "2030-01-01T00:00:00Z", end: "2030-06-15T11:59:59Z" } }),
      campaign("future", { priority: 8, schedule: { start: "2030-06-15T12:00:01Z", end: "2031-01-01T00:00:00Z" } }),
      campaign("running"),
    ]);
    expect(choose(document)?.campaign.id).toBe("running");
  });

  it("matches device and country targeting", () => {
    const document = documentFor([
      campaign("desktop-only", { priority: 3, targeting: { slots: ["mpu"], devices: ["desktop"] } }),
      campaign("us-only", { priority: 2, targeting: { slots: ["mpu"], countries: ["US"] } }),
      campaign("jp-mobile", { priority: 1, targeting: { slots: ["mpu"], devices: ["mobile"], countries: ["JP"] } }),
    ]);
    expect(choose(document)?.campaign.id).toBe("jp-mobile");
    expect(choose(document, { request: { ...request, device: "desktop" } })?.campaign.id).toBe("desktop-only");
    expect(choose(document, { request: { ...request, device: "ctv", country: "DE" } })).toBeUndefined();
  });

  it("serves only creatives of the requested size", () => {
    const document = documentFor([
      campaign("banner", { priority: 5, creatives: [creative("b", "728x90")] }),
      campaign("mpu", { creatives: [creative("m", "300x250")] }),
    ]);
    expect(choose(document, { request: { ...request, size: "300x250" } })?.creative.id).toBe("m");
    expect(choose(document)?.creative.id).toBe("b");
  });

  it("splits traffic by weight within a priority", () => {
    const document = documentFor([campaign("a", { weight: 1 }), campaign("b", { weight: 3 })]);
    expect(choose(document, { random: () => 0.2 })?.campaign.id).toBe("a");
    expect(choose(document, { random: () => 0.3 })?.campaign.id).toBe("b");
  });

  it("skips a campaign once the user reached its frequency cap", () => {
    const capped = campaign("capped", { priority: 5, frequencyCap: { impressions: 2, windowSeconds: 3600 } });
    const document = documentFor([capped, campaign("filler")]);
    const counts = (n: number): Counters => ({ deliveredToday: () => 0, userCount: () => n });
    const first = choose(document, { counters: counts(1) });
    expect(first?.campaign.id).toBe("capped");
    expect(first?.capField).toBe(`capped:${Math.floor(NOON / 3_600_000)}`);
    expect(choose(document, { counters: counts(2) })?.campaign.id).toBe("filler");
  });

  it("skips capped campaigns when the user's counters are unknown", () => {
    const document = documentFor([
      campaign("capped", { priority: 5, frequencyCap: { impressions: 5, windowSeconds: 3600 } }),
      campaign("uncapped"),
    ]);
    const unknown: Counters = { deliveredToday: () => 0, userCount: () => undefined };
    expect(choose(document, { counters: unknown })?.campaign.id).toBe("uncapped");
  });

  it("skips a campaign that is ahead of its even pace", () => {
    // At noon half the budget (5000) plus 1% slack (100) may have been served.
    const document = documentFor([campaign("paced", { priority: 5, dailyBudget: 10_000 }), campaign("filler")]);
    const delivered = (n: number): Counters => ({
      deliveredToday: (id) => (id === "paced" ? n : 0),
      userCount: () => 0,
    });
    expect(choose(document, { counters: delivered(5099) })?.campaign.id).toBe("paced");
    expect(choose(document, { counters: delivered(5100) })?.campaign.id).toBe("filler");
  });
});

describe("pickWeighted", () => {
  it("returns undefined for no items", () => {
    expect(pickWeighted([], () => 1, Math.random)).toBeUndefined();
  });
});
