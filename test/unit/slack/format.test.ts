import { describe, expect, it } from "vitest";
import type { Notification } from "../../../functions/core/notifications.ts";
import { formatterFor } from "../../../functions/core/slack/format/index.ts";
import { channelFor } from "../../../functions/core/slack/routing.ts";
import { interruption, rolloutStep } from "../../fixtures/slack-notifications.ts";

describe("Block Kit formatting per feature", () => {
  it("threads every interruption notification of an instance together, whichever event started it", () => {
    const a = interruption("i-1", "ev-a", "rebalance_recommendation", {
      type: "instance_event",
      action: "cordon",
      detail: "x",
    });
    const b = interruption("i-1", "ev-b", "instance_terminated", {
      type: "instance_event",
      action: "cleanup",
      detail: "y",
    });
    expect(formatterFor(a).thread(a)).toBe("instance/i-1");
    expect(formatterFor(b).thread(b)).toBe(formatterFor(a).thread(a));
  });

  it("escapes Slack markup in what pods and reasons contain", () => {
    const n = interruption("i-2", "e", "spot_interrupted", {
      type: "drain_failed",
      reason: "<!channel> & co",
      blocked: [{ namespace: "shop", name: "cart-0", budgets: ["<b>"], message: "" }],
    });
    const text = JSON.stringify(formatterFor(n).step(n).blocks);
    expect(text).toContain("&lt;!channel&gt; &amp; co");
    expect(text).not.toContain("<!channel>");
  });

  it("formats a rollout by its own thread key and a type nobody formats generically", () => {
    const step = rolloutStep("shop.example.com", "r-9", 2);
    expect(formatterFor(step).feature).toBe("traffic");
    expect(formatterFor(step).thread(step)).toBe(step.threadKey);
    const unknown = {
      type: "capacity_reserved",
      threadKey: "scale/shop",
      dedupeKey: "d",
      at: "2026-01-01T00:00:00Z",
      namespace: "shop",
      min: 4,
    } as unknown as Notification;
    const format = formatterFor(unknown);
    expect(format.feature).toBe("generic");
    expect(format.namespaces(unknown)).toEqual(["shop"]);
    expect(JSON.stringify(format.step(unknown).blocks)).toContain("*min*: 4");
  });

  it("formats a pre-scaling raise with its targets and routes it by their namespaces", () => {
    const raised = {
      type: "prescale_raised",
      threadKey: "prescaling/shop/ev",
      dedupeKey: "prescaling/shop/ev/raised",
      at: "2026-01-01T00:00:00Z",
      policy: "shop",
      trigger: "alarm:queue-depth",
      eventId: "ev",
      expiresAt: "2026-01-01T02:00:00Z",
      targets: [
        {
          target: { kind: "HorizontalPodAutoscaler", namespace: "shop", name: "web" },
          changes: [{ level: "minReplicas", from: 2, to: 8 }],
        },
      ],
    } as unknown as Notification;
    const format = formatterFor(raised);
    expect(format.feature).toBe("prescaling");
    expect(format.namespaces(raised)).toEqual(["shop"]);
    expect(JSON.stringify(format.step(raised).blocks)).toContain("minReplicas 2→8");
  });

  it("routes by the first matching route, else the default channel", () => {
    const routes = [
      { cluster: "prod", kind: "spot_interrupted", channel: "C1" },
      { namespace: "pay", channel: "C2" },
    ];
    expect(channelFor(routes, { cluster: "prod", namespaces: [], kinds: ["spot_interrupted"] }, "C0")).toBe("C1");
    expect(channelFor(routes, { cluster: "dev", namespaces: ["pay"], kinds: [] }, "C0")).toBe("C2");
    expect(channelFor(routes, { cluster: "dev", namespaces: [], kinds: ["spot_interrupted"] }, "C0")).toBe("C0");
  });
});
