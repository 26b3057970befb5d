import { describe, expect, it } from "vitest";
import { loadInterruptionConfig } from "../../../functions/config/interruption-config.ts";
import { alarmActions } from "../../../stacks/alarm-topics.ts";
import {
  drainEventSource,
  eventSourceScaling,
  interruptionEventPatterns,
  interruptionQueueSettings,
} from "../../../stacks/event-patterns.ts";
import { functionRuntime } from "../../../stacks/function-defaults.ts";
import { pascal, stageName } from "../../../stacks/naming.ts";
import { prescalingAlarmPattern } from "../../../stacks/prescaling-patterns.ts";
import { alarmSettings, reservedConcurrency } from "../../../stacks/settings.ts";
import { trafficEventPatterns } from "../../../stacks/traffic-patterns.ts";

const interruptionConfigMarginSeconds =
  loadInterruptionConfig({
    AWS_REGION: "us-east-2",
    HARBORMASTER_CLUSTER_NAME: "c",
    HARBORMASTER_DEAD_LETTER_QUEUE_URL: "https://sqs.us-east-2.amazonaws.com/123456789012/dlq",
  }).invocationMarginMs / 1000;

describe("deployment settings", () => {
  it("gives the interruption queue a visibility of at least six times the function timeout", () => {
    const s = interruptionQueueSettings;
    expect(s.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * s.functionTimeoutSeconds);
  });

  it("leaves the interruption function its invocation margin after a two-minute spot warning", () => {
    expect(interruptionQueueSettings.functionTimeoutSeconds).toBeGreaterThanOrEqual(
      120 + interruptionConfigMarginSeconds,
    );
  });

  it("reserves the interruption function exactly the event source's maximum concurrency", () => {
    expect(reservedConcurrency.InterruptionHandler?.reserved).toBe(eventSourceScaling.maximumConcurrency);
    expect(reservedConcurrency.DrainHandler?.reserved).toBe(drainEventSource.maximumConcurrency);
  });

  it("runs every function on arm64", () => {
    expect(functionRuntime.architecture).toBe("arm64");
  });

  it("alarms on the first DLQ message, and on any throttle", () => {
    expect(alarmSettings.dlqDepth.threshold).toBe(0);
    expect(alarmSettings.throttles.threshold).toBe(0);
  });

  it("notifies only the alarm topics of the alarm's own region, which is all CloudWatch accepts", () => {
    const east = "arn:aws:sns:us-east-2:123456789012:alarms";
    const west = "arn:aws:sns:eu-west-1:123456789012:alarms";
    expect(alarmActions([east, west], "eu-west-1")).toEqual([west]);
    expect(alarmActions(east, "us-east-2")).toEqual([east]);
    expect(alarmActions(east, "eu-west-1")).toEqual([]);
    expect(alarmActions(undefined, "us-east-2")).toEqual([]);
  });

  it("names resources per stage within AWS's limits", () => {
    expect(stageName("harbormaster", "prod", ["slack-worker", "errors"])).toBe("harbormaster-prod-slack-worker-errors");
    expect(stageName("harbormaster", "a".repeat(80), ["x"])).toHaveLength(64);
    expect(pascal("slack-worker")).toBe("SlackWorker");
  });
});

describe("event patterns", () => {
  const all = {
    ...interruptionEventPatterns,
    ...trafficEventPatterns(["errors"]),
    prescalingAlarm: prescalingAlarmPattern([{ alarms: ["p99"] }]),
  };

  it.each(Object.entries(all))("%s names a source and detail types, so it never matches everything", (_n, p) => {
    expect(p?.source.length).toBeGreaterThan(0);
    expect(p?.["detail-type"].length).toBeGreaterThan(0);
  });

  it("routes only ALARM to traffic rollback, and ALARM and OK to pre-scaling", () => {
    expect(trafficEventPatterns(["e"]).alarmStateChange.detail.state.value).toEqual(["ALARM"]);
    expect(prescalingAlarmPattern([{ alarms: ["p"] }])?.detail.state.value).toEqual(["ALARM", "OK"]);
  });
});
