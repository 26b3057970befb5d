// One ad decision: slot document and user counters through the local cache, selection, then the serve is
// counted locally and queued for Redis. The caller races this against the deadline; `signal` tells us we lost.

import type { PacingCounters } from "../counters/pacing.ts";
import type { CapCounts, UserCaps } from "../counters/user-caps.ts";
import type { AdRequest } from "../domain/request.ts";
import { type Choice, selectCreative } from "../domain/selection.ts";
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

export class AdService {
  readonly #deps: AdServiceDeps;

  constructor(deps: AdServiceDeps) {
    this.#deps = deps;
  }

  /** `userWaitMs` bounds the wait for a user's counters: without them, only uncapped campaigns can serve. */
  async decide(request: AdRequest, userWaitMs: number, signal: AbortSignal): Promise<Decision> {
    const { catalog, caps, pacing, now, random } = this.#deps;
    let document: Awaited<ReturnType<Catalog["slot"]>>;
    try {
      document = await catalog.slot(request.slot);
    } catch (error) {
      return { kind: "unavailable", error };
    }
    if (document === null) return { kind: "no_fill" };
    if (request.size && !document.slot.sizes.includes(request.size))
      return {
        kind: "bad_request",
        message: `size ${request.size} is not a size of slot ${request.slot} (${document.slot.sizes.join(", ")})`,
      };
    const userCounts = document.campaigns.some((c) => c.frequencyCap)
      ? await within(caps.counts(request.uid), userWaitMs)
      : new Map();
    const time = now();
    const choice = selectCreative({
      document,
      request,
      now: time,
      random,
      counters: {
        deliveredToday: (id) => pacing.deliveredToday(id),
        userCount: (field) => (userCounts ? (userCounts.get(field) ?? 0) : undefined),
      },
    });
    if (!choice) return { kind: "no_fill" };
    // Past the deadline the caller has already answered with something else; this serve did not happen.
    if (signal.aborted) return { kind: "no_fill" };
    pacing.served(choice.campaign.id);
    if (choice.capField && choice.campaign.frequencyCap)
      caps.served(request.uid, choice.capField, choice.campaign.frequencyCap, time);
    return { kind: "served", choice };
  }
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
