// Which creative to show: a pure function of the slot's campaigns, the request, the counters and a random draw.
import type { Campaign, Creative, SlotDocument } from "./catalog.ts";
import { capField } from "./frequency.ts";
import { underPace } from "./pacing.ts";
import type { AdRequest } from "./request.ts";

export type StoredCampaign = SlotDocument["campaigns"][number];

export interface Counters {
  /** Served today across the fleet, as far as this pod knows. */
  deliveredToday(campaignId: string): number;
  /** The user's count in a cap field, or undefined when the user's counters could not be read. */
  userCount(field: string): number | undefined;
}

export interface Choice {
  campaign: StoredCampaign;
  creative: Creative;
  /** The cap field the serve counts against, when the campaign has a cap. */
  capField?: string;
}

export interface SelectionInput {
  document: SlotDocument;
  request: AdRequest;
  counters: Counters;
  now: number;
  /** Uniform in [0, 1); injected so tests can pin the draw. */
  random: () => number;
}

export function selectCreative({ document, request, counters, now, random }: SelectionInput): Choice | undefined {
  const sizes = request.size ? [request.size] : document.slot.sizes;
  const eligible: Choice[] = [];
  for (const campaign of document.campaigns) {
    const choice = eligibleChoice(campaign, request, sizes, counters, now, random);
    if (choice) eligible.push(choice);
  }
  if (eligible.length === 0) return undefined;
  const top = Math.max(...eligible.map((c) => c.campaign.priority));
  return pickWeighted(
    eligible.filter((c) => c.campaign.priority === top),
    (c) => c.campaign.weight,
    random,
  );
}

function eligibleChoice(
  campaign: StoredCampaign,
  request: AdRequest,
  sizes: readonly string[],
  counters: Counters,
  now: number,
  random: () => number,
): Choice | undefined {
  if (now < campaign.schedule.start || now >= campaign.schedule.end) return undefined;
  if (!matchesTargeting(campaign, request)) return undefined;
  const creatives = campaign.creatives.filter((c) => sizes.includes(c.size));
  if (creatives.length === 0) return undefined;
  let field: string | undefined;
  if (campaign.frequencyCap) {
    field = capField(campaign.id, campaign.frequencyCap, now);
    const seen = counters.userCount(field);
    // Unknown counters (Redis unreachable for a new user) skip capped campaigns rather than risk the cap.
    if (seen === undefined || seen >= campaign.frequencyCap.impressions) return undefined;
  }
  const paced = underPace({ ...campaign, deliveredToday: counters.deliveredToday(campaign.id), now });
  if (!paced) return undefined;
  const creative = pickWeighted(creatives, (c) => c.weight, random);
  return creative && { campaign, creative, capField: field };
}

export function matchesTargeting(campaign: Pick<Campaign, "targeting">, request: AdRequest): boolean {
  const { devices, countries } = campaign.targeting;
  if (devices && !devices.includes(request.device)) return false;
  if (countries && !countries.includes(request.country)) return false;
  return true;
}

export function pickWeighted<T>(items: readonly T[], weight: (item: T) => number, random: () => number): T | undefined {
  let total = 0;
  for (const item of items) total += weight(item);
  let draw = random() * total;
  for (const item of items) {
    draw -= weight(item);
    if (draw < 0) return item;
  }
  return items.at(-1);
}
