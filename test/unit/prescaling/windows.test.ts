import { describe, expect, it } from "vitest";
import { activeOccurrence, rampCron, windowSchema, zonedInstant } from "../../../functions/core/prescaling/windows.ts";

const lunch = windowSchema.parse({
  name: "lunch",
  timezone: "Asia/Tokyo",
  days: ["MON", "TUE", "WED", "THU", "FRI"],
  start: "11:30",
  end: "13:30",
  rampMinutes: 20,
});

describe("schedule windows", () => {
  it("converts wall-clock times in a zone, daylight saving included", () => {
    expect(new Date(zonedInstant({ year: 2025, month: 3, day: 3 }, "11:30", "Asia/Tokyo")).toISOString()).toBe(
      "2025-03-03T02:30:00.000Z",
    );
    expect(new Date(zonedInstant({ year: 2025, month: 7, day: 1 }, "09:00", "America/New_York")).toISOString()).toBe(
      "2025-07-01T13:00:00.000Z",
    );
    expect(new Date(zonedInstant({ year: 2025, month: 1, day: 1 }, "09:00", "America/New_York")).toISOString()).toBe(
      "2025-01-01T14:00:00.000Z",
    );
  });

  it("is active from the ramp's start until the end", () => {
    // Monday 2025-03-03, 11:10 JST = 02:10Z: the ramp has just begun.
    const occurrence = activeOccurrence(lunch, Date.parse("2025-03-03T02:10:00Z"));
    expect(occurrence && new Date(occurrence.start).toISOString()).toBe("2025-03-03T02:30:00.000Z");
    expect(occurrence && new Date(occurrence.end).toISOString()).toBe("2025-03-03T04:30:00.000Z");
    expect(activeOccurrence(lunch, Date.parse("2025-03-03T02:09:59Z"))).toBeUndefined();
    expect(activeOccurrence(lunch, Date.parse("2025-03-03T04:30:00Z"))).toBeUndefined();
  });

  it("only starts on its days, in its own time zone", () => {
    // Saturday 2025-03-01 in Tokyo.
    expect(activeOccurrence(lunch, Date.parse("2025-03-01T03:00:00Z"))).toBeUndefined();
  });

  it("runs past midnight when the end is earlier than the start", () => {
    const night = windowSchema.parse({ name: "night", timezone: "UTC", days: ["FRI"], start: "22:00", end: "02:00" });
    // Saturday 01:00 belongs to Friday's window.
    const occurrence = activeOccurrence(night, Date.parse("2025-03-08T01:00:00Z"));
    expect(occurrence && new Date(occurrence.start).toISOString()).toBe("2025-03-07T22:00:00.000Z");
  });

  it("begins a ramp on the day before when it reaches back past midnight", () => {
    const early = windowSchema.parse({
      name: "early",
      timezone: "UTC",
      days: ["MON"],
      start: "00:10",
      end: "03:00",
      rampMinutes: 30,
    });
    expect(activeOccurrence(early, Date.parse("2025-03-02T23:45:00Z"))).toBeDefined(); // Sunday 23:45
    expect(rampCron(early)).toBe("cron(40 23 ? * SUN *)");
  });

  it("writes the Scheduler's cron for the ramp's start", () => {
    expect(rampCron(lunch)).toBe("cron(10 11 ? * MON,TUE,WED,THU,FRI *)");
    expect(rampCron(windowSchema.parse({ name: "d", timezone: "UTC", start: "08:00", end: "09:00" }))).toBe(
      "cron(0 8 ? * * *)",
    );
  });

  it("rejects an unknown time zone or a malformed time", () => {
    expect(windowSchema.safeParse({ name: "x", timezone: "Mars/Olympus", start: "10:00", end: "11:00" }).success).toBe(
      false,
    );
    expect(windowSchema.safeParse({ name: "x", timezone: "UTC", start: "25:00", end: "11:00" }).success).toBe(false);
  });
});
