// One ad decision: slot document and user counters through the local cache, selection, then the serve is
// counted locally and queued for Redis. When everything is cached the decision is synchronous (decideNow):
// no timer, no promise. Otherwise the caller races `decide` against the deadline.
import type { PacingCounters } from "../counters/pacing.ts";
import type { CapCounts, UserCaps } from "../counters/user-caps.ts";
import type { SlotDocument } from "../domain/catalog.ts";
import type { AdRequest } from "../domain/request.ts";
import { type Choice, type Counters, selectCreative } from "../domain/selection.ts";
import type { Catalog } from "./catalog.ts";

export type Decision =
  | { kind: "served"; choice: Choice }
  | { kind: "no_fill" }
  | { kind: "bad_request"; message: string }
  /** The catalog could not be read (Redis down or slow, nothing cached): the caller uses the fallback. */
  | { kind: "unavailable"; error: unknown };

export interface AdServiceDeps {
  catalog: Catalog;
  caps: UserCaps;
  pacing: PacingCounters;
  now: () => number;
  random: () => number;
}

/** Set by the caller once it has answered without this decision, so that the decision is not counted. */
export interface Expiry {
  expired: boolean;
}

const NO_COUNTS: CapCounts = new Map();
const NO_FILL: Decision = { kind: "no_fill" };

export class AdService {
  readonly #deps: AdServiceDeps;
  readonly #capped = new WeakMap<SlotDocument, boolean>();
  /**
   * The counts and time of the decision in progress: selection is synchronous, so one Counters object
   * serves every decision.
   */
  #counts: CapCounts | undefined;
  #time = 0;
  readonly #counters: Counters = {
    deliveredToday: (id) => this.#deps.pacing.deliveredToday(id, this.#time),
    userCount: (field) => (this.#counts ? (this.#counts.get(field) ?? 0) : undefined),
  };

  constructor(deps: AdServiceDeps) {
    this.#deps = deps;
  }

  /** The decision from the local cache alone, or undefined when it needs Redis. */
  decideNow(request: AdRequest): Decision | undefined {
    const document = this.#deps.catalog.cachedSlot(request.slot);
    if (document === undefined) return undefined;
    if (document === null) return NO_FILL;
    const invalid = checkSize(document, request);
    if (invalid) return invalid;
    const time = this.#deps.now();
    const counts = this.#needsUser(document) ? this.#deps.caps.cachedCounts(request.uid, time) : NO_COUNTS;
    if (counts === undefined) return undefined;
    return this.#choose(document, request, counts, time);
  }

  /** `userWaitMs` bounds the wait for a user's counters: without them, only uncapped campaigns can serve. */
  async decide(request: AdRequest, userWaitMs: number, expiry: Expiry): Promise<Decision> {
    let document: SlotDocument | null;
    try {
      document = await this.#deps.catalog.slot(request.slot);
    } catch (error) {
      return { kind: "unavailable", error };
    }
    if (document === null) return NO_FILL;
    const invalid = checkSize(document, request);
    if (invalid) return invalid;
    const counts = this.#needsUser(document)
      ? await within(this.#deps.caps.counts(request.uid), userWaitMs)
      : NO_COUNTS;
    // Past the deadline the caller has already answered with something else; this serve did not happen.
    if (expiry.expired) return NO_FILL;
    return this.#choose(document, request, counts, this.#deps.now());
  }

  #choose(document: SlotDocument, request: AdRequest, counts: CapCounts | undefined, time: number): Decision {
    const { pacing, caps, random } = this.#deps;
    this.#counts = counts;
    this.#time = time;
    const choice = selectCreative({ document, request, now: time, random, counters: this.#counters });
    this.#counts = undefined;
    if (!choice) return NO_FILL;
    pacing.served(choice.campaign.id, time);
    // A capped campaign is chosen only when the user's counts are known (see selection).
    if (choice.capField && choice.campaign.frequencyCap && counts)
      caps.served(request.uid, counts, choice.capField, choice.campaign.frequencyCap, time);
    return { kind: "served", choice };
  }

  #needsUser(document: SlotDocument): boolean {
    let capped = this.#capped.get(document);
    if (capped === undefined) {
      capped = document.campaigns.some((c) => c.frequencyCap);
      this.#capped.set(document, capped);
    }
    return capped;
  }
}

function checkSize(document: SlotDocument, request: AdRequest): Decision | undefined {
  if (!request.size || document.slot.sizes.includes(request.size)) return undefined;
  return {
    kind: "bad_request",
    message: `size ${request.size} is not a size of slot ${request.slot} (${document.slot.sizes.join(", ")})`,
  };
}

/** The value if it arrives within `ms`, else undefined; a failure is also undefined. */
function within(promise: Promise<CapCounts>, ms: number): Promise<CapCounts | undefined> {
  if (ms <= 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
