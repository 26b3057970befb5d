import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints, uniqueName } from "../../helpers/testbed.ts";
import { playScenario } from "../../local/scenarios/index.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";

// The other scenarios on one isolated stack (no services: the spot-storm file loads them): each goes
// through EventBridge rules built from stacks/ and the real functions, and ends as the feature promises.
const slow = 240_000;

describe("the local stack's scenarios", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack(endpoints(), { runId: uniqueName("scen"), services: false });
  }, slow);

  afterAll(async () => {
    await stack?.stop();
  }, slow);

  it(
    "asg-scale-in drains one node per zone, then completes each lifecycle action",
    async () => {
      const played = await playScenario(stack.info, "asg-scale-in");
      expect(played.facts.drained).toHaveLength(3);
      expect(new Set(played.facts.completed as string[])).toEqual(new Set(played.facts.targets as string[]));
    },
    slow,
  );

  it(
    "health-retirement drains the retiring instances named in one Health event",
    async () => {
      const played = await playScenario(stack.info, "health-retirement");
      expect(played.facts.drained).toHaveLength(3);
    },
    slow,
  );

  it(
    "traffic-spike raises the ad server's floor and headroom on ALARM and restores the floor on OK",
    async () => {
      const played = await playScenario(stack.info, "traffic-spike");
      expect(played.facts).toMatchObject({ before: 2, raisedTo: 4, restored: true, headroomHeld: true });
    },
    slow,
  );

  it(
    "blue-green rolls green out in steps, then rolls the next rollout back on its alarm",
    async () => {
      const played = await playScenario(stack.info, "blue-green");
      expect(played.facts.target).toBe("green");
      expect(played.facts.final).toEqual({ blue: 0, green: 100 });
    },
    slow,
  );
});
