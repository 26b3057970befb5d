// Test data: seeds in the file's own shape, so tests go through the same validation as the loader.
import type { z } from "zod";
import type { seedSchema } from "../../src/loader/seed-file.ts";

type SeedInput = z.input<typeof seedSchema>;
type CampaignInput = SeedInput["campaigns"][number];
type SlotInput = SeedInput["slots"][number];

export const ALWAYS = { start: "2020-01-01T00:00:00Z", end: "2040-01-01T00:00:00Z" };

export function slot(id: string, sizes: string[] = ["300x250"]): SlotInput {
  return { id, sizes };
}

export function campaign(id: string, overrides: Partial<CampaignInput> = {}): CampaignInput {
  return {
    id,
    schedule: ALWAYS,
    dailyBudget: 1_000_000,
    targeting: { slots: ["mpu"] },
    creatives: [creative(`${id}-300`)],
    ...overrides,
  };
}

export function creative(id: string, size = "300x250") {
  return { id, size, imageUrl: `https://cdn.example.com/${id}.png`, clickUrl: `https://example.com/${id}` };
}

export function seed(campaigns: CampaignInput[], slots: SlotInput[] = [slot("mpu")]): SeedInput {
  return { slots, campaigns };
}
