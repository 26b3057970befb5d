import { describe, expect, it } from "vitest";
import { parseTrigger, TriggerParseError } from "../../../functions/core/prescaling/triggers.ts";
import { alarmStateChange, sweepInput, windowInput } from "../../fixtures/prescaling-events.ts";

describe("parseTrigger", () => {
  it("reads an alarm state change, timed by the state's own millisecond timestamp", () => {
    const at = new Date("2025-03-03T02:10:00.123Z");
    const event = alarmStateChange("api-p99", "ALARM", at);
    expect(parseTrigger(JSON.stringify(event), "m1", 0)).toEqual({
      type: "alarm",
      id: event.id,
      alarmName: "api-p99",
      state: "ALARM",
      at: at.getTime(),
    });
  });

  it("reads the schedules' inputs", () => {
    expect(parseTrigger(JSON.stringify(windowInput("ads", "lunch")), "m2", 5)).toEqual({
      type: "window",
      id: "m2",
      policy: "ads",
      window: "lunch",
      at: 5,
    });
    expect(parseTrigger(JSON.stringify(sweepInput), "m3", 5)).toMatchObject({ type: "sweep" });
  });

  it.each([
    "not json",
    "{}",
    JSON.stringify({ source: "aws.ec2" }),
    JSON.stringify({ harbormaster: "prescaling", action: "x" }),
  ])("rejects what it cannot act on: %s", (body) => {
    expect(() => parseTrigger(body, "m", 0)).toThrow(TriggerParseError);
  });
});
