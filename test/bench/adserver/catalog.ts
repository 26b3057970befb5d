// A catalog of a realistic shape for the benchmark: 50 slots, 200 campaigns with device, country and
// frequency-cap targeting, budgets large enough that pacing never runs dry during a run.
import type { z } from "zod";
import type { seedSchema } from "../../../services/adserver/src/loader/seed-file.ts";

type Seed = z.input<typeof seedSchema>;

export const SLOTS = 50;
export const DEVICES = ["desktop", "mobile", "tablet"] as const;
export const COUNTRIES = ["JP", "US", "DE", "FR", "GB", "KR"] as const;
const SIZES = ["300x250", "728x90", "320x50"];

export function benchCatalog(): Seed {
  const slots = Array.from({ length: SLOTS }, (_, i) => ({
    id: `slot-${i}`,
    sizes: [SIZES[i % SIZES.length] as string],
  }));
  const campaigns = Array.from({ length: 200 }, (_, i) => {
    const size = SIZES[i % SIZES.length] as string;
    // Every slot gets about 12 campaigns of its size; every slot has capped ones, so a new user means a Redis read.
    const targeted = slots.filter((s, j) => s.sizes[0] === size && (j + i) % 4 === 0).map((s) => s.id);
    // Targeting from a hash of the index, so that it does not line up with the slot assignment above.
    const h = Math.imul(i + 1, 2654435761) >>> 0;
    return {
      id: `campaign-${i}`,
      priority: i % 3,
      weight: 1 + (i % 5),
      schedule: { start: "2020-01-01T00:00:00Z", end: "2040-01-01T00:00:00Z" },
      dailyBudget: 1_000_000_000,
      ...((h >>> 12) % 2 === 0 ? { frequencyCap: { impressions: 1000, windowSeconds: 86_400 } } : {}),
      targeting: {
        slots: targeted,
        ...(h % 3 === 1 ? { devices: [DEVICES[(h >>> 4) % DEVICES.length] as (typeof DEVICES)[number]] } : {}),
        ...((h >>> 8) % 4 === 1 ? { countries: [COUNTRIES[(h >>> 16) % COUNTRIES.length] as string] } : {}),
      },
      creatives: [0, 1].map((k) => ({
        id: `creative-${i}-${k}`,
        size,
        imageUrl: `https://cdn.example.com/c/${i}/${k}.png`,
        clickUrl: `https://advertiser-${i}.example.com/landing?utm_source=harbormaster`,
      })),
    };
  });
  return { slots, campaigns };
}
