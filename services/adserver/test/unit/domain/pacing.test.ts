import { describe, expect, it } from "vitest";
import { pacedAllowance, utcDay } from "../../../src/domain/pacing.ts";

const at = (iso: string) => Date.parse(iso);
const allDay = { start: at("2030-01-01T00:00:00Z"), end: at("2031-01-01T00:00:00Z") };

describe("pacedAllowance", () => {
  it("grows evenly through the day, with a 1% slack", () => {
    expect(pacedAllowance({ dailyBudget: 2400, schedule: allDay, now: at("2030-06-15T00:00:00Z") })).toBe(24);
    expect(pacedAllowance({ dailyBudget: 2400, schedule: allDay, now: at("2030-06-15T06:00:00Z") })).toBe(624);
    expect(pacedAllowance({ dailyBudget: 2400, schedule: allDay, now: at("2030-06-15T23:59:59Z") })).toBe(2400);
  });

  it("paces over the part of the day the schedule covers", () => {
    const evening = { start: at("2030-06-15T18:00:00Z"), end: at("2030-06-20T00:00:00Z") };
    expect(pacedAllowance({ dailyBudget: 600, schedule: evening, now: at("2030-06-15T17:00:00Z") })).toBe(0);
    expect(pacedAllowance({ dailyBudget: 600, schedule: evening, now: at("2030-06-15T21:00:00Z") })).toBe(306);
  });

  it("allows at least one impression at the start of the window", () => {
    expect(pacedAllowance({ dailyBudget: 10, schedule: allDay, now: at("2030-06-15T00:00:00Z") })).toBe(1);
  });

  it("is zero after the schedule ends", () => {
    const ended = { start: allDay.start, end: at("2030-06-15T10:00:00Z") };
    expect(pacedAllowance({ dailyBudget: 100, schedule: ended, now: at("2030-06-15T11:00:00Z") })).toBe(0);
  });
});

describe("utcDay", () => {
  it("names the UTC day", () => {
    expect(utcDay(at("2030-06-15T23:59:59Z"))).toBe("20300615");
  });
});
