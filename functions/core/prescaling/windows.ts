import * as z from "../zod.ts";

// Schedule windows: a wall-clock start and end in a time zone, with a ramp ahead of the start.

export const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
export type Weekday = (typeof weekdays)[number];

const clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour"));

export const windowSchema = z
  .strictObject({
    name: z.string().check(z.regex(/^[a-z0-9-]{1,40}$/)),
    timezone: z.string().check(z.refine(isTimeZone, "an IANA time zone such as Asia/Tokyo")),
    /** Days the window starts on, in its time zone. */
    days: z._default(z.array(z.enum(weekdays)).check(z.minLength(1)), [...weekdays]),
    start: clock,
    /** Earlier than start: the window ends the next day. */
    end: clock,
    rampMinutes: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(720)), 0),
  })
  .check(z.refine((w) => w.start !== w.end, "start and end must differ"));
export type ScheduleWindow = z.infer<typeof windowSchema>;

export interface Occurrence {
  rampStart: number;
  start: number;
  end: number;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface WallDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

function wallParts(instant: number, zone: string) {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

function offsetAt(instant: number, zone: string): number {
  const w = wallParts(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a wall-clock time happens in a zone (twice-occurring times resolve to the first). */
export function zonedInstant(date: WallDate, hhmm: string, zone: string): number {
  const [hour = 0, minute = 0] = hhmm.split(":").map(Number);
  const guess = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const first = guess - offsetAt(guess, zone);
  const second = guess - offsetAt(first, zone);
  return Math.min(first, second);
}

function addDays(date: WallDate, days: number): WallDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function weekdayOf(date: WallDate): Weekday {
  return weekdays[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] ?? "SUN";
}

/** The occurrence whose ramp has begun and whose end has not come at `now`, if any. */
export function activeOccurrence(window: ScheduleWindow, now: number): Occurrence | undefined {
  const today = wallParts(now, window.timezone);
  // Yesterday's window may run past midnight; tomorrow's ramp may begin before it.
  for (const offset of [-1, 0, 1]) {
    const day = addDays(today, offset);
    if (!window.days.includes(weekdayOf(day))) continue;
    const start = zonedInstant(day, window.start, window.timezone);
    const endDay = window.end > window.start ? day : addDays(day, 1);
    const end = zonedInstant(endDay, window.end, window.timezone);
    const rampStart = start - window.rampMinutes * 60_000;
    if (rampStart <= now && now < end) return { rampStart, start, end };
  }
  return undefined;
}

/**
 * EventBridge Scheduler's cron expression (in the window's time zone) for the moment the ramp begins. A
 * ramp that reaches back past midnight fires on the day before.
 */
export function rampCron(window: ScheduleWindow): string {
  const [hour = 0, minute = 0] = window.start.split(":").map(Number);
  let at = hour * 60 + minute - window.rampMinutes;
  let dayShift = 0;
  while (at < 0) {
    at += 24 * 60;
    dayShift -= 1;
  }
  const days =
    window.days.length === weekdays.length
      ? "*"
      : window.days
          .map((d) => weekdays[(weekdays.indexOf(d) + 7 + (dayShift % 7)) % 7])
          .sort((a, b) => weekdays.indexOf(a ?? "SUN") - weekdays.indexOf(b ?? "SUN"))
          .join(",");
  return `cron(${at % 60} ${Math.floor(at / 60)} ? * ${days} *)`;
}
