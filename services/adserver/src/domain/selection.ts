// Which creative to show: a pure function of the slot's campaigns, the request, the counters and a random draw.
import type { Campaign, Creative, SlotDocument } from "./catalog.ts";
import { capField, capWindow } from "./frequency.ts";
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
  // Only the highest priority with an eligible campaign competes; lower ones are not even checked. The
  // candidates come sorted by priority, already filtered by targeting and size, so the loop stops early.
  // The competitors go to a scratch array reused by every call (selection is synchronous), with their
  // total weight summed on the way, so a request allocates nothing here.
  let top = Number.NEGATIVE_INFINITY;
  let count = 0;
  let totalWeight = 0;
  for (const candidate of candidatesFor(document, request)) {
    const { campaign } = candidate;
    if (campaign.priority < top) break;
    const field = eligibility(candidate, counters, now);
    if (field === false) continue;
    if (campaign.priority > top) {
      top = campaign.priority;
      count = 0;
      totalWeight = 0;
    }
    competing[count++] = candidate;
    totalWeight += campaign.weight;
    candidate.chosenField = field;
  }
  const winner = drawWeighted(competing, count, totalWeight, (c) => c.campaign.weight, random);
  competing.fill(undefined, 0, count);
  if (!winner) return undefined;
  const { creatives, creativeWeight } = winner;
  const creative = drawWeighted(creatives, creatives.length, creativeWeight, (c) => c.weight, random);
  return creative && { campaign: winner.campaign, creative, capField: winner.chosenField };
}

const competing: Array<Candidate | undefined> = [];

/** A campaign that matches a request's targeting and size, with its creatives of those sizes. */
interface Candidate {
  campaign: StoredCampaign;
  creatives: Creative[];
  /** The creatives' total weight. */
  creativeWeight: number;
  /** The cap field of the last window asked for, formatted once per window rather than once per request. */
  capWindow: number;
  capField: string | undefined;
  chosenField: string | undefined;
}

// Per slot document (immutable, one per catalog version) and request shape: the campaigns that can serve it
// at all, highest priority first (document order within a priority, as the weighted draw expects).
const prepared = new WeakMap<SlotDocument, Map<string, Candidate[]>>();

function candidatesFor(document: SlotDocument, request: AdRequest): Candidate[] {
  let byShape = prepared.get(document);
  if (!byShape) {
    byShape = new Map();
    prepared.set(document, byShape);
  }
  const shape = `${request.device}|${request.country}|${request.size ?? ""}`;
  let candidates = byShape.get(shape);
  if (!candidates) {
    const sizes = request.size ? [request.size] : document.slot.sizes;
    candidates = [];
    for (const campaign of document.campaigns) {
      if (!matchesTargeting(campaign, request)) continue;
      const creatives = campaign.creatives.filter((c) => sizes.includes(c.size));
      if (creatives.length === 0) continue;
      const creativeWeight = creatives.reduce((sum, c) => sum + c.weight, 0);
      candidates.push({
        campaign,
        creatives,
        creativeWeight,
        capWindow: -1,
        capField: undefined,
        chosenField: undefined,
      });
    }
    candidates.sort((a, b) => b.campaign.priority - a.campaign.priority);
    byShape.set(shape, candidates);
  }
  return candidates;
}

/** False when the campaign cannot serve now; else the cap field it counts against, if capped. */
function eligibility(candidate: Candidate, counters: Counters, now: number): string | undefined | false {
  const { campaign } = candidate;
  if (now < campaign.schedule.start || now >= campaign.schedule.end) return false;
  let field: string | undefined;
  const cap = campaign.frequencyCap;
  if (cap) {
    const window = capWindow(cap, now);
    if (window !== candidate.capWindow) {
      candidate.capWindow = window;
      candidate.capField = capField(campaign.id, cap, now);
    }
    field = candidate.capField as string;
    const seen = counters.userCount(field);
    // Unknown counters (Redis unreachable for a new user) skip capped campaigns rather than risk the cap.
    if (seen === undefined || seen >= cap.impressions) return false;
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
  return drawWeighted(items, items.length, total, weight, random);
}

/** pickWeighted over the first `count` items, whose weights sum to `total`. */
function drawWeighted<T>(
  items: ReadonlyArray<T | undefined>,
  count: number,
  total: number,
  weight: (item: T) => number,
  random: () => number,
): T | undefined {
  if (count === 0) return undefined;
  let draw = random() * total;
  for (let i = 0; i < count; i++) {
    draw -= weight(items[i] as T);
    if (draw < 0) return items[i];
  }
  return items[count - 1];
}
