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
  // Only the highest priority with an eligible campaign competes; lower ones are not even checked.
  let top = Number.NEGATIVE_INFINITY;
  let candidates: Array<{ campaign: StoredCampaign; capField?: string }> = [];
  for (const campaign of document.campaigns) {
    if (campaign.priority < top) continue;
    const field = eligibility(campaign, request, sizes, counters, now);
    if (field === false) continue;
    if (campaign.priority > top) {
      top = campaign.priority;
      candidates = [];
    }
    candidates.push({ campaign, capField: field });
  }
  const winner = pickWeighted(candidates, (c) => c.campaign.weight, random);
  if (!winner) return undefined;
  const creatives = winner.campaign.creatives.filter((c) => sizes.includes(c.size));
  const creative = pickWeighted(creatives, (c) => c.weight, random);
  return creative && { campaign: winner.campaign, creative, capField: winner.capField };
}

/** False when the campaign cannot serve this request; else the cap field it counts against, if capped. */
function eligibility(
  campaign: StoredCampaign,
  request: AdRequest,
  sizes: readonly string[],
  counters: Counters,
  now: number,
): string | undefined | false {
  if (now < campaign.schedule.start || now >= campaign.schedule.end) return false;
  if (!matchesTargeting(campaign, request)) return false;
  if (!campaign.creatives.some((c) => sizes.includes(c.size))) return false;
  let field: string | undefined;
  if (campaign.frequencyCap) {
    field = capField(campaign.id, campaign.frequencyCap, now);
    const seen = counters.userCount(field);
    // Unknown counters (Redis unreachable for a new user) skip capped campaigns rather than risk the cap.
    if (seen === undefined || seen >= campaign.frequencyCap.impressions) return false;
  }
  const { dailyBudget, schedule } = campaign;
  if (!underPace({ dailyBudget, schedule, deliveredToday: counters.deliveredToday(campaign.id), now })) return false;
  return field;
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
