import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createCluster, endpoints, kube, uniqueName } from "../../helpers/testbed.ts";
import { type PlayedScenario, playScenario } from "../../local/scenarios/index.ts";
import type { Snapshot } from "../../local/snapshot.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";

// The start command's stack, with its two clusters: blue on the shared testbed, isolated by a run id (its own
// nodes, the dev overlay under its own names, its own bus), and green, a control plane of this file's own.
// A spot storm on blue is played through EventBridge, the queue and the real handler, and the live view is
// read by a real browser.
const slow = 240_000;

describe("the local stack handles a spot storm end to end", () => {
  let green: Cluster;
  let stack: LocalStack;
  let played: PlayedScenario;

  beforeAll(async () => {
    green = await createCluster({ name: "green" });
    // Redis database 13: the ad server's own tests use 12 on the shared server.
    const testbed = { ...endpoints(), redisUrl: `${endpoints().redisUrl}/13` };
    const clusters = [
      { name: "blue", kubeconfigPath: testbed.kubeconfigPath },
      { name: "green", kubeconfigPath: green.kubeconfigPath },
    ];
    stack = await startLocalStack(testbed, { runId: uniqueName("local"), clusters });
    played = await playScenario(stack.info, "spot-storm");
  }, slow);

  afterAll(async () => {
    await stack?.stop();
    await green?.close();
  }, slow);

  it("runs each cluster's nodes on EC2 instances tagged with its EKS name, and names them after the instances", async () => {
    const ec2 = new EC2Client({});
    for (const cluster of stack.info.clusters) {
      const InstanceIds = cluster.nodes.map((n) => n.instanceId);
      const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds }));
      const instances = Reservations.flatMap((r) => r.Instances ?? []);
      expect(instances).toHaveLength(cluster.nodes.length);
      for (const instance of instances)
        expect(instance.Tags).toContainEqual({ Key: "eks:cluster-name", Value: cluster.eksCluster });
      const { core } = kube(cluster.kubeconfigPath);
      const node = await core.readNode({ name: instances[0]?.PrivateDnsName ?? "" });
      expect(node.spec?.providerID).toMatch(new RegExp(`/${instances[0]?.InstanceId}$`));
    }
    expect(stack.info.clusters.map((c) => c.eksCluster)).toEqual([
      `${stack.info.runId}-blue`,
      `${stack.info.runId}-green`,
    ]);
  });

  it("cordons and drains every warned node, and the pods run elsewhere", async () => {
    const targets = played.facts.targets as string[];
    expect(targets).toHaveLength(6);
    const blueNodes = new Set(stack.info.clusters[0]?.nodes.map((n) => n.name));
    expect(targets.every((name) => blueNodes.has(name))).toBe(true);
    expect(new Set(played.facts.cordoned as string[])).toEqual(new Set(targets));
    expect(new Set(played.facts.drained as string[])).toEqual(new Set(targets));
    const { core } = kube();
    for (const name of targets) {
      const node = await core.readNode({ name });
      expect(node.spec?.unschedulable).toBe(true);
      const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` });
      const evictable = pods.items.filter(
        (p) => !p.metadata?.deletionTimestamp && !p.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet"),
      );
      expect(evictable.map((p) => p.metadata?.name)).toEqual([]);
    }
  });

  it("served the services' real requests throughout", () => {
    expect(played.load.map((l) => l.target).sort()).toEqual(["adserver", "scissors"]);
    for (const load of played.load) {
      expect(load.requests).toBeGreaterThan(0);
      expect(load.errors).toBe(0);
    }
  });

  it("snapshots both clusters, labelled, each with its nodes, pods and HPAs; the storm touched blue only", async () => {
    const { clusters } = await snapshot();
    const [blue, other] = clusters;
    expect(clusters.map((c) => [c.name, c.eksCluster])).toEqual(stack.info.clusters.map((c) => [c.name, c.eksCluster]));
    for (const [view, info] of [blue, other].map((v, i) => [v, stack.info.clusters[i]] as const)) {
      expect(view?.nodes.map((n) => n.name).sort()).toEqual(info?.nodes.map((n) => n.name).sort());
      expect(view?.pods).toBeGreaterThan(0);
      expect(view?.hpas.map((h) => h.name)).toContain("adserver");
    }
    expect(blue?.nodes.filter((n) => n.phase === "drained")).toHaveLength(6);
    expect(other?.nodes.filter((n) => n.cordoned || n.phase)).toEqual([]);
  });

  it("shows the nodes and their drained state in the live view, in headless Chromium", async () => {
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
      await page.goto(stack.info.statusUrl);
      const nodes = page.locator("[data-node]");
      const total = stack.info.clusters.reduce((sum, c) => sum + c.nodes.length, 0);
      await expect.poll(() => nodes.count(), { timeout: 20_000 }).toBe(total);
      for (const cluster of stack.info.clusters) {
        const section = page.locator(`[data-cluster="${cluster.name}"]`);
        expect(await section.locator("h2").textContent()).toContain(`Cluster ${cluster.name} (${cluster.eksCluster})`);
        expect(await section.locator("[data-node]").count()).toBe(cluster.nodes.length);
      }
      const drained = page.locator('[data-state="drained"]');
      await expect.poll(() => drained.count(), { timeout: 20_000 }).toBe(6);
      for (const name of played.facts.drained as string[])
        expect(await page.locator(`[data-node="${name}"]`).getAttribute("data-state")).toBe("drained");
      await expect.poll(() => page.locator("#timeline circle").count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await page.locator('[data-cluster="blue"] .hpas').textContent()).toContain("adserver");
      expect(await page.locator('[data-cluster="green"] .hpas').textContent()).toContain("adserver");
      const screenshot = join(mkdtempSync(join(tmpdir(), "harbormaster-live-view-")), "live-view.png");
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      process.stderr.write(`live view screenshot: ${screenshot}\n`);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it("posts the storm's threads to the local Slack view and answers a signed slash command there", async () => {
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      await page.goto(stack.info.slackUrl);
      // One thread per warned instance, its parent naming the node.
      const parents = page.locator('[data-channel="C0OPS"] .msg');
      await expect.poll(() => parents.count(), { timeout: 30_000 }).toBe(6);
      const text = await page.locator("#channels").textContent();
      for (const name of played.facts.drained as string[]) expect(text).toContain(name);
      await page.fill("#text", "nodes");
      await page.click("button");
      await expect
        .poll(() => page.locator("#answer").textContent(), { timeout: 20_000 })
        .toMatch(/nodes on blue: \d+ nodes/);
    } finally {
      await browser.close();
    }
  }, 60_000);

  // Last: its threads would add to the ops channel the test above counts.
  it(
    "routes a storm on green's instances to green by their tags, and leaves blue's nodes as they were",
    async () => {
      const before = (await snapshot()).clusters[0]?.nodes.filter((n) => n.cordoned).map((n) => n.name);
      const onGreen = await playScenario(stack.info, "spot-storm", () => {}, "green");
      const greenNodes = new Set(stack.info.clusters[1]?.nodes.map((n) => n.name));
      expect(onGreen.facts.targets).toHaveLength(6);
      expect((onGreen.facts.targets as string[]).every((name) => greenNodes.has(name))).toBe(true);
      expect(new Set(onGreen.facts.drained as string[])).toEqual(new Set(onGreen.facts.targets as string[]));
      const after = (await snapshot()).clusters[0]?.nodes.filter((n) => n.cordoned).map((n) => n.name);
      expect(after).toEqual(before);
    },
    slow,
  );

  async function snapshot(): Promise<Snapshot> {
    return ((await (await fetch(`${stack.info.statusUrl}/api/state`)).json()) as { snapshot: Snapshot }).snapshot;
  }
});
