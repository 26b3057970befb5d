// The seed file: slots and campaigns, in JSON or YAML. Every rule is checked before anything is written,
// including the ones that span records (a campaign naming a slot that does not exist).
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { campaignSchema, slotSchema } from "../domain/catalog.ts";

export const seedSchema = z
  .strictObject({
    slots: z.array(slotSchema).min(1),
    campaigns: z.array(campaignSchema),
  })
  .superRefine((seed, ctx) => {
    const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const slots = new Map(seed.slots.map((s) => [s.id, s]));
    for (const id of duplicates(seed.slots.map((s) => s.id))) problem(["slots"], `slot id ${id} is used twice`);
    for (const id of duplicates(seed.campaigns.map((c) => c.id)))
      problem(["campaigns"], `campaign id ${id} is used twice`);
    seed.campaigns.forEach((campaign, i) => {
      for (const id of duplicates(campaign.creatives.map((c) => c.id)))
        problem(["campaigns", i, "creatives"], `creative id ${id} is used twice`);
      campaign.targeting.slots.forEach((id, j) => {
        if (!slots.has(id)) problem(["campaigns", i, "targeting", "slots", j], `no slot ${id}`);
      });
      const targeted = campaign.targeting.slots.map((id) => slots.get(id));
      campaign.creatives.forEach((creative, j) => {
        if (!targeted.some((slot) => slot?.sizes.includes(creative.size)))
          problem(
            ["campaigns", i, "creatives", j, "size"],
            `size ${creative.size} fits none of the campaign's slots, so it could never serve`,
          );
      });
    });
  });
export type Seed = z.output<typeof seedSchema>;

export class SeedFileError extends Error {
  override name = "SeedFileError";
}

/** Parses and validates a seed file's text; the format follows the file name (.json, .yaml, .yml). */
export function parseSeed(text: string, fileName: string): Seed {
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(fileName) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new SeedFileError(`${fileName} is not valid ${/\.ya?ml$/i.test(fileName) ? "YAML" : "JSON"}`, {
      cause: error,
    });
  }
  const result = seedSchema.safeParse(data);
  if (!result.success)
    throw new SeedFileError(`${fileName} is not a valid seed file:\n${z.prettifyError(result.error)}`);
  return result.data;
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(ids.filter((id) => seen.size === seen.add(id).size))];
}
