import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints, kube, uniqueName } from "../../helpers/testbed.ts";
import { type PlayedScenario, playScenario } from "../../local/scenarios/index.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";

// The start command's stack on the shared testbed, isolated by a run id: its own nodes, the dev overlay
// under its own names, its own bus. A spot storm is played through EventBridge, the queue and the real
// handler, and the live view is read by a real browser.
const slow = 240_000;

describe("the local stack handles a spot storm end to end", () => {
  let stack: LocalStack;
  let played: PlayedScenario;

  beforeAll(async () => {
    // Redis database 13: the ad server's own tests use 12 on the shared server.
    const testbed = { ...endpoints(), redisUrl: `${endpoints().redisUrl}/13` };
    stack = await startLocalStack(testbed, { runId: uniqueName("local") });
    played = await playScenario(stack.info, "spot-storm");
  }, slow);

  afterAll(async () => {
    await stack?.stop();
  }, slow);

  it("cordons and drains every warned node, and the pods run elsewhere", async () => {
    const targets = played.facts.targets as string[];
    expect(targets).toHaveLength(6);
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

  it("shows the nodes and their drained state in the live view, in headless Chromium", async () => {
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
      await page.goto(stack.info.statusUrl);
      const nodes = page.locator("[data-node]");
      await expect.poll(() => nodes.count(), { timeout: 20_000 }).toBe(stack.info.nodes.length);
      const drained = page.locator('[data-state="drained"]');
      await expect.poll(() => drained.count(), { timeout: 20_000 }).toBe(6);
      for (const name of played.facts.drained as string[])
        expect(await page.locator(`[data-node="${name}"]`).getAttribute("data-state")).toBe("drained");
      await expect.poll(() => page.locator("#timeline circle").count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await page.locator("#hpas").textContent()).toContain("adserver");
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
        .toMatch(/nodes on local: \d+ nodes/);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
