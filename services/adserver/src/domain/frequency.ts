// Frequency caps count a user's impressions of a campaign in fixed windows (hour, day, ...).
// The window index is part of the counter's field, so an old window is simply never read again.
import type { FrequencyCap } from "./catalog.ts";

export function capField(campaignId: string, cap: FrequencyCap, now: number): string {
  return `${campaignId}:${capWindow(cap, now)}`;
}

/** The index of the cap window `now` falls in. */
export function capWindow(cap: FrequencyCap, now: number): number {
  return Math.floor(now / (cap.windowSeconds * 1000));
}

/** Seconds the field must live: to the end of its window, plus a margin for clock skew between pods. */
export function capFieldTtlSeconds(cap: FrequencyCap, now: number): number {
  const windowMs = cap.windowSeconds * 1000;
  const untilEnd = windowMs - (now % windowMs);
  return Math.ceil(untilEnd / 1000) + 60;
}
