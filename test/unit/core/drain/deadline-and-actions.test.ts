import { describe, expect, it } from "vitest";
import { Action, actionFor, actionTable, defaultActions } from "../../../../functions/core/drain/actions.ts";
import { deadlineFor, defaultDeadlineSettings } from "../../../../functions/core/drain/deadline.ts";
import { Kind } from "../../../../functions/core/events/kinds.ts";
import { spotMessage } from "../../../fixtures/messages.ts";

describe("deadlineFor", () => {
  const at = new Date("2026-11-23T12:00:00Z");

  it("gives a spot drain the two-minute warning minus the margin, counted from AWS's event time", () => {
    expect(deadlineFor(spotMessage(undefined, at)).toISOString()).toBe("2026-11-23T12:01:45.000Z");
  });

  it("gives a Health drain until the change starts, minus the margin", () => {
    const message = {
      ...spotMessage(undefined, at),
      kind: Kind.ScheduledChange,
      startTime: new Date("2026-11-24T00:00:00Z"),
    };
    expect(deadlineFor(message).toISOString()).toBe("2026-11-23T23:59:45.000Z");
  });

  it("gives a lifecycle drain the configured window the heartbeats keep open", () => {
    const message = { ...spotMessage(undefined, at), kind: Kind.TerminateLifecycle };
    expect(deadlineFor(message, { ...defaultDeadlineSettings, lifecycleDrainMs: 60_000 }).toISOString()).toBe(
      "2026-11-23T12:01:00.000Z",
    );
  });
});

describe("actionTable", () => {
  it("defaults rebalance to cordon and allows drain or notify instead", () => {
    expect(defaultActions.rebalance_recommendation).toBe(Action.Cordon);
    expect(actionTable({ rebalance_recommendation: "cordon_and_drain" }).rebalance_recommendation).toBe(
      Action.CordonAndDrain,
    );
    expect(actionTable({ rebalance_recommendation: "notify_only" }).rebalance_recommendation).toBe(Action.NotifyOnly);
  });

  it("rejects unknown kinds and actions a kind does not allow", () => {
    expect(() => actionTable({ spot: "cordon" })).toThrow(/spot/);
    expect(() => actionTable({ launch_lifecycle: "cordon_and_drain" })).toThrow();
  });

  it("continues a launch into a warm pool instead of waiting for a node", () => {
    const message = {
      ...spotMessage(),
      kind: Kind.LaunchLifecycle,
      lifecycle: {
        groupName: "g",
        hookName: "h",
        token: "t",
        transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
        origin: "EC2",
        destination: "WarmPool",
      },
    } as const;
    expect(actionFor(defaultActions, message)).toBe(Action.Continue);
    expect(
      actionFor(defaultActions, { ...message, lifecycle: { ...message.lifecycle, destination: "AutoScalingGroup" } }),
    ).toBe(Action.WaitReady);
  });
});
