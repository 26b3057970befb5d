import { describe, expect, it } from "vitest";
import type { Notification } from "../../../functions/core/notifications.ts";
import { formatterFor } from "../../../functions/core/slack/format/index.ts";
import { listSections, upgradeTypes } from "../../../functions/core/slack/format/upgrade.ts";
import type { SlackMessage } from "../../../functions/core/slack/messages.ts";
import { upgradeSamples } from "./upgrade-notifications.ts";

const all = Object.values(upgradeSamples) as Notification[];
/** Everything a person could read in a message: its fallback text and every block's text. */
const shown = (message: SlackMessage) => `${message.text}\n${JSON.stringify(message.blocks)}`;

describe("upgrade notifications in Slack", () => {
  it("has a formatter of its own for every upgrade notification type, threaded by the engine's key", () => {
    expect([...upgradeTypes].sort()).toEqual(Object.keys(upgradeSamples).sort());
    for (const n of all) {
      const format = formatterFor(n);
      expect({ type: n.type, feature: format.feature }).toEqual({ type: n.type, feature: "upgrade" });
      expect(format.thread(n)).toBe("upgrade/prod-1-31/r-7");
    }
  });

  it("keeps one thread per upgrade run, whichever cluster the notification names", () => {
    const step = { ...upgradeSamples.upgrade_step, cluster: "production-green" };
    const back = { ...upgradeSamples.upgrade_rolled_back, cluster: "production-blue" };
    expect(formatterFor(step).thread(step)).toBe(formatterFor(back).thread(back));
  });

  it("shows a step's number, percent, weights, capacity wait and duration", () => {
    const n = upgradeSamples.upgrade_step;
    const text = shown(formatterFor(n).step(n));
    expect(text).toContain("step 2/4: 50% to production-green");
    expect(text).toContain("production-blue 50 / production-green 50");
    expect(text).toContain("waited 34.2s for capacity");
    expect(text).toContain("step took 41.1s");
  });

  it("shows the floors and Ready pods a step waited for, when the step carries them", () => {
    const floors = upgradeSamples.upgrade_capacity.floors.map((f) => ({ ...f, ready: f.floor }));
    const n = { ...upgradeSamples.upgrade_step, floors } as Notification;
    const text = shown(formatterFor(n).step(n));
    expect(text).toContain("capacity waited for: 10/10 Ready pods for 2 HPAs");
    expect(text).toContain("`ads/scissors` floor 3 (blue runs 5) · 3/3 Ready");
    expect(shown(formatterFor(upgradeSamples.upgrade_step).step(upgradeSamples.upgrade_step))).not.toContain(
      "capacity waited for",
    );
  });

  it("shows each mirrored floor with blue's replicas and green's Ready pods, and what is still awaited", () => {
    const n = upgradeSamples.upgrade_capacity;
    const step = formatterFor(n).step(n);
    const text = shown(step);
    expect(text).toContain("waiting for 8/10 Ready pods for 2 HPAs");
    expect(text).toContain("`ads/adserver` floor 7 (blue runs 12) · 7/7 Ready");
    expect(text).toContain("`ads/scissors` floor 3 (blue runs 5) · 1/3 Ready :hourglass:");
    const ready = { ...n, ready: true, floors: n.floors.map((f) => ({ ...f, ready: f.floor })) };
    expect(shown(formatterFor(ready).step(ready))).toContain("capacity Ready in production-green: 10/10 Ready pods");
    expect(formatterFor(n).namespaces(n)).toEqual(["ads"]);
  });

  it("lists every missing item of a refusal, in the step and in the parent that a refusal may open", () => {
    const n = upgradeSamples.upgrade_refused;
    for (const message of [formatterFor(n).step(n), formatterFor(n).parent(n)]) {
      const text = shown(message);
      expect(text).toContain("refused, nothing moved: the ready gate failed · 2 missing");
      for (const item of n.missing) expect(text).toContain(item);
    }
  });

  it("lists a long refusal whole, across sections under Slack's 3,000 characters each", () => {
    const missing = Array.from(
      { length: 400 },
      (_, i) => `deployment ads/app-${i} is not Available in production-green`,
    );
    const n = { ...upgradeSamples.upgrade_refused, missing };
    const { blocks = [] } = formatterFor(n).step(n);
    const texts = blocks.flatMap((b) => ((b as { text?: { text: string } }).text?.text ?? "").split("\n"));
    for (const item of missing) expect(texts).toContain(`• ${item}`);
    for (const b of blocks) expect(JSON.stringify((b as { text?: unknown }).text ?? "").length).toBeLessThan(3_100);
    expect(blocks.length).toBeLessThanOrEqual(50);
  });

  it("splits lines into sections that each stay under the limit, keeping their order", () => {
    const sections = listSections(["a".repeat(6), "b".repeat(6), "c".repeat(6)], 14);
    expect(sections.map((s) => (s.text as { text: string }).text)).toEqual(["aaaaaa\nbbbbbb", "cccccc"]);
  });

  it.each([
    ["upgrade_started", "upgrade started by slack:U0ALICE: plan Linear25Percent, 25% → 50% → 75% → 100%"],
    ["upgrade_paused", "paused by slack:U0BOB: capacity timed out"],
    ["upgrade_resumed", "resumed by slack:U0BOB"],
    ["upgrade_rolled_back", "rolled back to production-blue (production-blue 100 / production-green 0)"],
    ["upgrade_rollback_settled", "production-blue serves again with 17 Ready pods"],
    ["upgrade_completed", "holds all the traffic (production-blue 0 / production-green 100) after 612s"],
    ["upgrade_released", "released production-blue: 0% of the traffic, 4 pods left · scaled down 2 HPA(s)"],
    ["upgrade_status", "status: step 2/4 at 50%, baking until 13:10"],
    ["upgrade_failed", "upgrade failed: Route53 refused the change"],
  ] as const)("says what %s means", (type, expected) => {
    const n = upgradeSamples[type] as Notification;
    expect(shown(formatterFor(n).step(n))).toContain(expected);
    expect(shown(formatterFor(n).parent(n))).toContain(expected);
  });

  it("names the upgrade, both clusters and the run in the parent, and escapes what it did not write", () => {
    const n = { ...upgradeSamples.upgrade_failed, reason: "<!channel> & co" };
    const parent = shown(formatterFor(n).parent(n));
    expect(parent).toContain("*Upgrade* `prod-1-31` · production-blue → production-green · `r-7`");
    expect(parent).toContain("&lt;!channel&gt; &amp; co");
    expect(JSON.stringify(formatterFor(n).parent(n).blocks)).not.toContain("<!channel>");
    expect(shown(formatterFor(upgradeSamples.upgrade_rolled_back).step(upgradeSamples.upgrade_rolled_back))).toContain(
      "(alarm `green-5xx`)",
    );
  });
});
