// The upgrade as the traffic function announced it: its notifications reach the live view's timeline (see
// describe() in test/local/stack.ts), one line each: `<type> <upgrade> key=value ...`.
import { randomUUID } from "node:crypto";
import type { UpgradeAction } from "../../../functions/core/upgrade/commands.ts";
import { upgradeDetailType, upgradeSource } from "../../../functions/core/upgrade/inbound-names.ts";
import { type ScenarioContext, sleep } from "./context.ts";

export interface Announcement {
  at: number;
  type: string;
  text: string;
}

/** The custom event Slack's `/hm upgrade <action> <name>` and scripts send. */
export function upgradeEvent(upgrade: string, action: UpgradeAction, actor: string) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": upgradeDetailType,
    source: upgradeSource,
    account: "123456789012",
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    region: "us-east-2",
    resources: [],
    detail: { upgrade, action, actor },
  };
}

/** What the traffic function announced about `upgrade` since `since`, oldest first. */
export async function announcements(ctx: ScenarioContext, upgrade: string, since: number): Promise<Announcement[]> {
  const response = await fetch(`${ctx.info.statusUrl}/api/state`, { signal: AbortSignal.timeout(10_000) });
  const state = (await response.json()) as { timeline: { at: number; source: string; text: string }[] };
  const line = new RegExp(`^(upgrade_[a-z_]+) ${upgrade.replace(/[-]/g, "\\-")}(?: |$)`);
  return state.timeline.flatMap((e) => {
    const match = e.at >= since && e.source === "traffic" ? line.exec(e.text) : null;
    return match?.[1] ? [{ at: e.at, type: match[1], text: e.text }] : [];
  });
}

/** `capacityWaitMs` per step percent, from the upgrade_step lines that carry it. */
export function capacityWaits(list: readonly Announcement[]): Map<number, number> {
  const waits = new Map<number, number>();
  for (const a of list) {
    if (a.type !== "upgrade_step") continue;
    const percent = /\bpercent=(\d+)/.exec(a.text)?.[1];
    const wait = /\bcapacityWaitMs=(\d+)/.exec(a.text)?.[1];
    if (percent && wait) waits.set(Number(percent), Number(wait));
  }
  return waits;
}

/** Announcements that end an upgrade without green holding the traffic. */
export const stopped = ["upgrade_refused", "upgrade_failed", "upgrade_rolled_back", "upgrade_paused"];

/**
 * The upgrade's Slack thread in the local Slack view: its latest parent (`Upgrade <name> · …`) and its
 * replies. Slack takes one post a second per channel, so the thread may trail the upgrade by some seconds:
 * this waits up to `timeoutMs` for the release to be posted.
 */
export async function slackThread(ctx: ScenarioContext, upgrade: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${ctx.info.statusUrl}/api/slack`, { signal: AbortSignal.timeout(10_000) });
    const { messages = [] } = (await response.json()) as {
      messages?: { channel: string; ts: string; threadTs?: string; text: string }[];
    };
    const parent = messages.filter((m) => !m.threadTs && m.text.startsWith(`Upgrade ${upgrade} `)).at(-1);
    const replies = parent ? messages.filter((m) => m.channel === parent.channel && m.threadTs === parent.ts) : [];
    const released = replies.some((m) => m.text.startsWith("upgrade_released"));
    if (released || Date.now() > deadline)
      return { channel: parent?.channel, replies: replies.map((m) => m.text), released };
    await sleep(1000);
  }
}
