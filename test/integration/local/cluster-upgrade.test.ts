import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createCluster, endpoints, uniqueName } from "../../helpers/testbed.ts";
import { arms } from "../../local/scenarios/cluster-upgrade.ts";
import { type PlayedScenario, playScenario } from "../../local/scenarios/index.ts";
import type { ArmFigures } from "../../local/scenarios/upgrade-figures.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";

// Seed 003's upgrade on the start command's stack: blue on the shared testbed (isolated by a run id), green a
// control plane of this file's own, each with its ad server; the traffic function upgrades blue to green
// under a load that follows the weights, with a spot warning on green halfway, once with capacity mirroring
// off and once with it on. The figures the scenario prints are the ones asserted here.
const slow = 600_000;

describe("the cluster-upgrade scenario", () => {
  let green: Cluster;
  let stack: LocalStack;
  let played: PlayedScenario;
  const arm = (name: string) => (played.facts.arms as ArmFigures[]).find((a) => a.arm === name) as ArmFigures;

  beforeAll(async () => {
    green = await createCluster({ name: "green" });
    // Redis database 13: the ad server's own tests use 12 on the shared server.
    const testbed = { ...endpoints(), redisUrl: `${endpoints().redisUrl}/13` };
    const clusters = [
      { name: "blue", kubeconfigPath: testbed.kubeconfigPath },
      { name: "green", kubeconfigPath: green.kubeconfigPath },
    ];
    stack = await startLocalStack(testbed, { runId: uniqueName("upg"), clusters });
    played = await playScenario(stack.info, "cluster-upgrade", (line) => process.stdout.write(`${line}\n`));
  }, slow);

  afterAll(async () => {
    await stack?.stop();
    await green?.close();
  }, slow);

  it("plays both arms to blue's release, each through every step to green at 100 %", () => {
    expect((played.facts.arms as ArmFigures[]).map((a) => a.arm)).toEqual(arms.map((a) => a.arm));
    for (const { arm: name } of arms) {
      const figures = arm(name);
      expect(figures.steps.map((s) => s.percent)).toEqual([10, 25, 50, 75, 100]);
      expect(figures.byCluster.green).toBeGreaterThan(0);
      expect(figures.spot?.drainedMs).toBeGreaterThan(0);
      // One Slack thread per upgrade run, in the local Slack view, with its steps as replies.
      expect(figures.slackReplies).toBeGreaterThanOrEqual(5);
    }
  });

  it("fails no request in either arm", () => {
    for (const { arm: name } of arms) {
      expect(arm(name).requests).toBeGreaterThan(100);
      expect(arm(name).failed).toBe(0);
    }
  });

  it("sends no request to an under-provisioned cluster with mirroring on, and some with it off", () => {
    expect(arm("mirroring on").underProvisioned).toBe(0);
    expect(arm("mirroring off").underProvisionedPercent).toBeGreaterThan(0);
    // Off, green stays at its floor of 2 while its share grows: at 100 % it needs all of D.
    expect(arm("mirroring off").worst).toMatchObject({ cluster: "green", need: played.facts.needAtFull });
  });
});
