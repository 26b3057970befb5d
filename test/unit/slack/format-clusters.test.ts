import { describe, expect, it } from "vitest";
import type { Notification } from "../../../functions/core/notifications.ts";
import { formatterFor, withCluster } from "../../../functions/core/slack/format/index.ts";
import type { SlackMessage } from "../../../functions/core/slack/messages.ts";
import { interruptionSamples, prescalingSamples, trafficSamples, unknownSample } from "../../helpers/slack-samples.ts";

const cluster = "production-blue";
const clustered = (): Notification[] => [
  ...interruptionSamples(cluster),
  ...prescalingSamples(cluster),
  ...trafficSamples(cluster),
  unknownSample(cluster),
];
const messages = (n: Notification): [string, SlackMessage][] => {
  const format = formatterFor(n);
  return [
    ["parent", format.parent(n)],
    ["step", format.step(n)],
  ];
};

describe("every Slack message names its cluster", () => {
  it.each(clustered().map((n) => [n.type, n] as const))("%s: parent and step, fallback text and blocks", (_, n) => {
    for (const [, message] of messages(n)) {
      expect(message.text).toContain(cluster);
      expect(JSON.stringify(message.blocks)).toContain(cluster);
    }
    // In the parent's first block, where a reader of the channel looks, not only in the details.
    expect(JSON.stringify(formatterFor(n).parent(n).blocks?.[0])).toContain(cluster);
  });

  it("titles an interruption with its kind, cluster, instance and node", () => {
    const [started] = interruptionSamples(cluster);
    if (!started) throw new Error("no sample");
    const format = formatterFor(started);
    expect(format.parent(started).text).toBe(
      "Spot interruption · production-blue · i-0abc · node ip-10-0-0-1.ec2.internal: drain_started",
    );
    expect(format.step(started).text).toBe("drain_started for i-0abc on production-blue");
  });

  it("titles a pre-scaling thread with its cluster and policy", () => {
    const [raised] = prescalingSamples(cluster);
    if (!raised) throw new Error("no sample");
    expect(formatterFor(raised).parent(raised).text).toBe("Pre-scaling · production-blue · shop: prescale_raised");
  });

  it("says nothing of a cluster when none is known, as before", () => {
    const [started] = interruptionSamples(cluster);
    if (!started) throw new Error("no sample");
    const { cluster: _, ...unnamed } = started;
    const format = formatterFor(unnamed);
    expect(format.parent(unnamed).text).toBe(
      "Spot interruption · i-0abc · node ip-10-0-0-1.ec2.internal: drain_started",
    );
    expect(format.thread(unnamed)).toBe("instance/i-0abc");
  });
});

describe("traffic messages name the record sets they shift between", () => {
  it.each(
    trafficSamples()
      .filter((n) => n.type !== "deploy_event")
      .map((n) => [n.type, n] as const),
  )("%s", (_, n) => {
    const format = formatterFor(n);
    const knowsBoth = "weights" in n || n.type === "rollout_started";
    for (const [, message] of messages(n)) expect(message.text).toContain(knowsBoth ? "blue → green" : "→ green");
    expect(JSON.stringify(format.parent(n).blocks?.[0])).toContain(knowsBoth ? "blue → green" : "→ green");
  });

  it("keeps one thread per rollout, whichever cluster sent a step", () => {
    const [a] = trafficSamples("blue");
    const [b] = trafficSamples("green");
    if (!a || !b) throw new Error("no sample");
    expect(formatterFor(a).thread(a)).toBe(formatterFor(b).thread(b));
  });
});

describe("threads are per cluster", () => {
  it("never shares a thread between two clusters' same instance id, policy or key", () => {
    const pairs = [
      [interruptionSamples("blue"), interruptionSamples("green")],
      [prescalingSamples("blue"), prescalingSamples("green")],
      [[unknownSample("blue")], [unknownSample("green")]],
    ] as const;
    for (const [blue, green] of pairs)
      for (const [i, n] of blue.entries()) {
        const other = green[i] as Notification;
        expect(formatterFor(n).thread(n)).not.toBe(formatterFor(other).thread(other));
      }
  });

  it("keeps every event of one instance in one cluster in one thread", () => {
    const keys = new Set(interruptionSamples("blue").map((n) => formatterFor(n).thread(n)));
    expect([...keys]).toEqual(["cluster:blue/instance/i-0abc"]);
  });

  it("takes the notifier's cluster for a notification that names none, and never overrides one that does", () => {
    const [started] = interruptionSamples("blue");
    if (!started) throw new Error("no sample");
    const { cluster: _, ...unnamed } = started;
    expect(withCluster(unnamed, "green").cluster).toBe("green");
    expect(withCluster(started, "green").cluster).toBe("blue");
    expect(withCluster(unnamed, undefined).cluster).toBeUndefined();
  });
});
