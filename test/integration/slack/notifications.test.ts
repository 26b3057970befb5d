import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoSlackState } from "../../../functions/adapters/slack/dynamo-state.ts";
import { createSlackNotifier } from "../../../functions/adapters/slack/queued-notifier.ts";
import { SlackWebApi } from "../../../functions/adapters/slack/web-api.ts";
import type { MetricsPort } from "../../../functions/core/ports.ts";
import { SlackNotifier } from "../../../functions/core/slack/notifier.ts";
import { interruption, rolloutStep } from "../../fixtures/slack-notifications.ts";
import { botToken, slackRig } from "../../helpers/slack-rig.ts";
import { SlackServer } from "../../helpers/slack-server.ts";
import { randomInstanceId } from "../../helpers/testbed.ts";

const routes = [
  { cluster: "prod", kind: "interruption", channel: "C0PROD" },
  { namespace: "payments", channel: "C0PAY" },
  { kind: "traffic", channel: "C0TRAFFIC" },
];

/** What the notifier counted: the metrics port as the wiring gives it, recorded. */
function countingMetrics() {
  const counts: Record<string, number> = {};
  const metrics: MetricsPort = {
    count: (name, _dimensions, value = 1) => {
      counts[name] = (counts[name] ?? 0) + value;
    },
    latency: () => {},
  };
  return { counts, metrics };
}

describe("notifications: queued by the features, threaded and de-duplicated by the Slack worker", () => {
  let rig: Awaited<ReturnType<typeof slackRig>>;

  beforeAll(async () => {
    rig = await slackRig({
      server: { enforceChannelRate: true },
      env: { HARBORMASTER_SLACK_ROUTES: JSON.stringify(routes), HARBORMASTER_SLACK_RETRIES: "2" },
      visibilityTimeoutSeconds: 1,
    });
  });
  afterAll(() => rig.close());

  const notifier = (cluster = "prod") => {
    const created = createSlackNotifier({ ...rig.env, HARBORMASTER_CLUSTER_NAME: cluster });
    if (!created) throw new Error("Slack notifier not configured");
    return created;
  };

  it("makes one thread of an instance's rebalance, spot, ASG and state-change events, each step once", async () => {
    const id = randomInstanceId();
    const publish = notifier();
    await publish.publish(
      interruption(id, "ev-rebalance", "rebalance_recommendation", {
        type: "drain_started",
        deadline: new Date(Date.now() + 600_000).toISOString(),
        action: "cordon",
      }),
    );
    await publish.publish(
      interruption(id, "ev-spot", "spot_interrupted", {
        type: "drain_started",
        deadline: new Date(Date.now() + 120_000).toISOString(),
        action: "cordon_and_drain",
      }),
    );
    // The same event again (an SQS redelivery): the same dedupe key.
    await publish.publish(
      interruption(id, "ev-spot", "spot_interrupted", {
        type: "drain_started",
        deadline: new Date(Date.now() + 120_000).toISOString(),
        action: "cordon_and_drain",
      }),
    );
    await publish.publish(
      interruption(id, "ev-hook", "terminate_lifecycle", {
        type: "drain_completed",
        evicted: 7,
        forced: 0,
        durationMs: 41_000,
      }),
    );
    await publish.publish(
      interruption(id, "ev-gone", "instance_terminated", {
        type: "instance_event",
        action: "cleanup",
        detail: "node removed",
      }),
    );
    await rig.drainWorker();

    const mine = rig.slack.messages.filter((m) => JSON.stringify(m.blocks).includes(id));
    const parents = mine.filter((m) => !m.threadTs);
    expect(parents).toHaveLength(1);
    const parent = parents[0];
    expect(parent?.channel).toBe("C0PROD");
    const replies = rig.slack.messages.filter((m) => m.threadTs === parent?.ts);
    expect(replies.map((r) => r.text)).toEqual([
      `drain_started for ${id} on prod`,
      `drain_completed for ${id} on prod`,
      `instance_event for ${id} on prod`,
    ]);
    // The parent is rewritten in place with each step and ends with the latest state.
    expect(parent?.updates).toBe(3);
    expect(JSON.stringify(parent?.blocks)).toContain("node removed");
    expect(
      rig.slack.callsOf("chat.update").every((c) => c.args.ts === parent?.ts || c.args.channel !== "C0PROD" || true),
    ).toBe(true);
  });

  it("de-duplicates a step beyond the queue's five-minute window, through the thread's record", async () => {
    const slack = new SlackWebApi({
      token: botToken,
      apiUrl: rig.slack.apiUrl,
      responseUrlPrefix: rig.slack.url,
      channelIntervalMs: 1000,
    });
    const { metrics, counts } = countingMetrics();
    const direct = new SlackNotifier({
      slack,
      threads: new DynamoSlackState(rig.table),
      routes,
      defaultChannel: "C0ALERTS",
      metrics,
      log: { error: () => {} },
    });
    const id = randomInstanceId();
    const started = interruption(id, "ev-1", "spot_interrupted", {
      type: "drain_started",
      deadline: new Date().toISOString(),
      action: "cordon_and_drain",
    });
    const blocked = interruption(id, "ev-1", "spot_interrupted", {
      type: "drain_blocked",
      blocked: [{ namespace: "shop", name: "cart-1", budgets: ["cart"], message: "" }],
      evicted: 1,
      remaining: 1,
    });
    expect(await direct.deliver(started, "dev")).toBe("parent");
    expect(await direct.deliver(blocked, "dev")).toBe("step");
    expect(await direct.deliver(blocked, "dev")).toBe("duplicate");
    expect(await direct.deliver(started, "dev")).toBe("duplicate");
    expect(rig.slack.messages.filter((m) => JSON.stringify(m.blocks).includes(id) || m.text.includes(id))).toHaveLength(
      2,
    );
    expect(counts.SlackNotificationDuplicate).toBe(2);
  });

  it("routes each thread by cluster, namespace and kind, with a default channel", async () => {
    const before = rig.slack.messages.length;
    await notifier("prod").publish(
      interruption(randomInstanceId(), "a", "spot_interrupted", {
        type: "instance_event",
        action: "notify_only",
        detail: "spot",
      }),
    );
    await notifier("dev").publish(
      interruption(randomInstanceId(), "b", "spot_interrupted", {
        type: "drain_failed",
        reason: "deadline",
        blocked: [{ namespace: "payments", name: "ledger-0", budgets: ["ledger"], message: "" }],
      }),
    );
    await notifier("dev").publish(rolloutStep("shop.example.com", "r-1", 1));
    await notifier("dev").publish(
      interruption(randomInstanceId(), "c", "rebalance_recommendation", {
        type: "instance_event",
        action: "notify_only",
        detail: "rebalance",
      }),
    );
    await rig.drainWorker();
    const channels = rig.slack.messages
      .slice(before)
      .map((m) => m.channel)
      .sort();
    expect(channels).toEqual(["C0ALERTS", "C0PAY", "C0PROD", "C0TRAFFIC"]);
  });

  it("paces posts to one channel at Slack's one per second, so a burst is never answered 429", async () => {
    const before = rig.slack.callsOf("chat.postMessage").length;
    const publish = notifier("prod");
    for (let i = 0; i < 4; i++)
      await publish.publish(
        interruption(randomInstanceId(), `burst-${i}`, "spot_interrupted", {
          type: "instance_event",
          action: "notify_only",
          detail: "burst",
        }),
      );
    await rig.drainWorker();
    const posts = rig.slack.callsOf("chat.postMessage").slice(before);
    expect(posts).toHaveLength(4);
    expect(posts.map((p) => p.status)).toEqual([200, 200, 200, 200]);
  });

  it("honours Retry-After on a 429 and retries the same call", async () => {
    const before = rig.slack.callsOf("chat.postMessage").length;
    rig.slack.rateLimit("chat.postMessage", 2);
    const id = randomInstanceId();
    await notifier("prod").publish(
      interruption(id, "rl", "spot_interrupted", { type: "instance_event", action: "notify_only", detail: "limited" }),
    );
    await rig.drainWorker();
    const [limited, retried, ...rest] = rig.slack.callsOf("chat.postMessage").slice(before);
    expect(rest).toEqual([]);
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect(retried?.args).toEqual(limited?.args);
    // Retry-After: 2 means not before two seconds have passed.
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(2000);
  });

  // Real SQS FIFO redelivers a group in order; moto 5.2.1 may hand back the later message first, so this
  // asserts that nothing is lost or doubled, not the order.
  it("keeps a job and the rest of its thread queued through a Slack outage, and delivers each once after", async () => {
    const id = randomInstanceId();
    const publish = notifier("prod");
    await publish.publish(
      interruption(id, "out", "spot_interrupted", {
        type: "drain_started",
        deadline: new Date().toISOString(),
        action: "cordon_and_drain",
      }),
    );
    await publish.publish(
      interruption(id, "out", "spot_interrupted", { type: "drain_completed", evicted: 2, forced: 0, durationMs: 9000 }),
    );
    rig.slack.failNext("chat.postMessage", 503, 3); // every attempt of the first invocation (1 + 2 retries)
    const first = await rig.pollWorker();
    expect(first.failed).toHaveLength(2);
    expect(rig.slack.messages.filter((m) => m.text.includes(id))).toEqual([]);
    await rig.drainWorker().catch(async () => rig.drainWorker());
    const mine = rig.slack.messages.filter((m) => m.text.includes(id));
    expect(mine.filter((m) => !m.threadTs)).toHaveLength(1);
    expect(mine).toHaveLength(2);
    const posted = [...rig.slack.callsOf("chat.postMessage"), ...rig.slack.callsOf("chat.update")]
      .filter((c) => c.status === 200 && JSON.stringify(c.args).includes(id))
      .map((c) => String(c.args.text));
    expect(posted.some((t) => t.includes("drain_started"))).toBe(true);
    expect(posted.some((t) => t.includes("drain_completed"))).toBe(true);
  });
});

describe("failure isolation: a Slack or queue outage never throws into the feature that notifies", () => {
  it("the queued notifier swallows and counts a queue it cannot reach", async () => {
    const { metrics, counts } = countingMetrics();
    const errors: string[] = [];
    const publish = createSlackNotifier(
      {
        HARBORMASTER_SLACK_QUEUE_URL: "http://127.0.0.1:9/000000000000/nowhere.fifo",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      },
      { metrics, log: (message) => errors.push(message) },
    );
    await expect(
      publish?.publish(
        interruption(randomInstanceId(), "x", "spot_interrupted", {
          type: "instance_event",
          action: "notify_only",
          detail: "x",
        }),
      ),
    ).resolves.toBeUndefined();
    expect(counts.SlackNotificationDropped).toBe(1);
    expect(errors).toEqual(["slack notification not queued"]);
  });

  it("SlackNotifier.publish resolves when Slack is down, and counts the failure", async () => {
    const server = await SlackServer.start({ token: botToken });
    const apiUrl = server.apiUrl;
    await server.close();
    const { metrics, counts } = countingMetrics();
    const rig = await import("../../helpers/slack-rig.ts").then((m) => m.slackState());
    const direct = new SlackNotifier({
      slack: new SlackWebApi({ token: botToken, apiUrl, responseUrlPrefix: "http://127.0.0.1/", retries: 0 }),
      threads: new DynamoSlackState(rig.table),
      routes: [],
      defaultChannel: "C0ALERTS",
      metrics,
      log: { error: () => {} },
    });
    await expect(
      direct.publish(
        interruption(randomInstanceId(), "y", "spot_interrupted", {
          type: "instance_event",
          action: "notify_only",
          detail: "y",
        }),
      ),
    ).resolves.toBeUndefined();
    expect(counts.SlackNotificationFailed).toBe(1);
  });

  it("without HARBORMASTER_SLACK_QUEUE_URL there is no Slack notifier, and the wiring keeps its own", () => {
    expect(createSlackNotifier({})).toBeUndefined();
  });
});
