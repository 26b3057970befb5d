import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackNotifier } from "../../../functions/adapters/slack/queued-notifier.ts";
import type { NotifierPort } from "../../../functions/core/ports.ts";
import { slackRig } from "../../helpers/slack-rig.ts";
import { interruptionSamples, prescalingSamples } from "../../helpers/slack-samples.ts";
import { randomInstanceId } from "../../helpers/testbed.ts";

const routes = [
  { cluster: "blue", channel: "C0BLUE" },
  { cluster: "green", channel: "C0GREEN" },
];

describe("notifications of a function that serves every cluster: one thread per cluster, each naming it", () => {
  let rig: Awaited<ReturnType<typeof slackRig>>;
  let everyCluster: NotifierPort;

  beforeAll(async () => {
    rig = await slackRig({ env: { HARBORMASTER_SLACK_ROUTES: JSON.stringify(routes) } });
    // No HARBORMASTER_CLUSTER_NAME: each notification names its own cluster.
    const created = createSlackNotifier(rig.env);
    if (!created) throw new Error("Slack notifier not configured");
    everyCluster = created;
  });
  afterAll(() => rig.close());

  const about = (text: string) => rig.slack.messages.filter((m) => m.text.includes(text));

  it("keeps the same instance id in two clusters in two threads, each in its cluster's channel", async () => {
    const id = randomInstanceId();
    // Same instance id, event id and dedupe keys in both: only the cluster tells them apart.
    for (const n of [...interruptionSamples("blue", id), ...interruptionSamples("green", id)])
      await everyCluster.publish(n);
    await rig.drainWorker();

    const parents = about(id).filter((m) => !m.threadTs);
    expect(parents.map((p) => p.channel).sort()).toEqual(["C0BLUE", "C0GREEN"]);
    for (const parent of parents) {
      const cluster = parent.channel === "C0BLUE" ? "blue" : "green";
      expect(parent.text).toContain(`Spot interruption · ${cluster} · ${id}`);
      const replies = rig.slack.messages.filter((m) => m.threadTs === parent.ts);
      // Every type after the first, posted once each: the other cluster's were not taken for repeats.
      expect(replies.map((r) => r.text)).toEqual([
        `drain_blocked for ${id} on ${cluster}`,
        `drain_completed for ${id} on ${cluster}`,
        `drain_failed for ${id} on ${cluster}`,
        `instance_event for ${id} on ${cluster}`,
      ]);
      for (const reply of replies) expect(JSON.stringify(reply.blocks)).toContain(`cluster *${cluster}*`);
    }
  });

  it("keeps the same pre-scaling policy in two clusters in two threads", async () => {
    const before = rig.slack.messages.length;
    for (const cluster of ["blue", "green"]) {
      const [raised] = prescalingSamples(cluster);
      if (raised) await everyCluster.publish({ ...raised, threadKey: "prescaling/shop/two", dedupeKey: "two" });
    }
    await rig.drainWorker();
    // Two threads are two message groups, worked on in parallel: their order is not asserted.
    const posted = rig.slack.messages.slice(before).sort((a, b) => a.channel.localeCompare(b.channel));
    expect(posted.map((m) => [m.channel, m.text, m.threadTs])).toEqual([
      ["C0BLUE", "Pre-scaling · blue · shop: prescale_raised", undefined],
      ["C0GREEN", "Pre-scaling · green · shop: prescale_raised", undefined],
    ]);
  });

  it("names the notifier's own cluster for a notification that names none (a function of one cluster)", async () => {
    const ofGreen = createSlackNotifier({ ...rig.env, HARBORMASTER_CLUSTER_NAME: "green" });
    const id = randomInstanceId();
    const [started] = interruptionSamples("unused", id);
    if (!started || !ofGreen) throw new Error("not set up");
    const { cluster: _, ...unnamed } = started;
    await ofGreen.publish(unnamed);
    await rig.drainWorker();
    expect(about(id).map((m) => [m.channel, m.text])).toEqual([
      ["C0GREEN", `Spot interruption · green · ${id} · node ip-10-0-0-1.ec2.internal: drain_started`],
    ]);
  });
});
