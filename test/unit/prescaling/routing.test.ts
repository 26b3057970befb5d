import { describe, expect, it } from "vitest";
import { parsePolicies } from "../../../functions/config/prescaling-config.ts";
import { prescalingAlarmPattern, prescalingSchedules } from "../../../stacks/prescaling-patterns.ts";

const policies = parsePolicies(
  JSON.stringify([
    {
      name: "ads",
      alarms: ["ads-p99", "ads-errors"],
      targets: [{ namespace: "ads", name: "adserver" }],
      floor: { mode: "add", replicas: 4 },
      windows: [
        { name: "lunch", timezone: "Asia/Tokyo", days: ["MON", "FRI"], start: "11:30", end: "13:30", rampMinutes: 15 },
      ],
    },
    {
      name: "img",
      alarms: ["ads-p99"],
      targets: [{ namespace: "img", name: "scissors" }],
      floor: { mode: "add", replicas: 1 },
    },
  ]),
);

describe("pre-scaling routing", () => {
  it("routes ALARM and OK of every policy's alarms, once each", () => {
    expect(prescalingAlarmPattern(policies)).toEqual({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: { alarmName: ["ads-errors", "ads-p99"], state: { value: ["ALARM", "OK"] } },
    });
    expect(prescalingAlarmPattern([{ alarms: [] }])).toBeUndefined();
  });

  it("schedules each window's ramp in its time zone, and the sweep every minute", () => {
    expect(prescalingSchedules(policies)).toEqual([
      {
        name: "ads-lunch",
        expression: "cron(15 11 ? * MON,FRI *)",
        timezone: "Asia/Tokyo",
        input: JSON.stringify({ harbormaster: "prescaling", action: "window", policy: "ads", window: "lunch" }),
      },
      expect.objectContaining({ name: "prescaling-sweep", expression: "rate(1 minute)" }),
    ]);
  });
});
