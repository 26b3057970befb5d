// Even pacing: by any moment of the day, a campaign may have delivered only its share of the daily budget
// for the part of today's schedule that has passed. Pure: time comes in as a parameter.

export const DAY_MS = 86_400_000;

export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10).replaceAll("-", "");
}

export interface PacingInput {
  dailyBudget: number;
  schedule: { start: number; end: number };
  /** Served today across all pods, as far as this pod knows. */
  deliveredToday: number;
  now: number;
}

/** Impressions allowed so far today; a small slack lets delivery start at the beginning of the window. */
export function pacedAllowance({ dailyBudget, schedule, now }: Omit<PacingInput, "deliveredToday">): number {
  const dayStart = now - (now % DAY_MS);
  const windowStart = Math.max(dayStart, schedule.start);
  const windowEnd = Math.min(dayStart + DAY_MS, schedule.end);
  if (now < windowStart || now >= windowEnd) return 0;
  const elapsed = (now - windowStart) / (windowEnd - windowStart);
  const slack = Math.max(1, Math.ceil(dailyBudget * 0.01));
  return Math.min(dailyBudget, Math.floor(dailyBudget * elapsed) + slack);
}

export function underPace(input: PacingInput): boolean {
  return input.deliveredToday < pacedAllowance(input);
}
