// Cluster upgrades: one thread per upgrade run (the engine's threadKey, upgrade/<name>/<rolloutId>). An upgrade
// moves traffic between two clusters, so its thread is the upgrade's, not one cluster's. Each step shows the
// weights, the capacity it waited for and the time it took; a refusal lists every missing item.
import type { MirroredFloor, UpgradeNotification } from "../../upgrade/notifications.ts";
import { type Block, code, context, escapeText, type SlackMessage, section } from "../messages.ts";
import { type NotificationFormatter, seconds, stepContext, when } from "./formatter.ts";

export const upgradeTypes = [
  "upgrade_started",
  "upgrade_refused",
  "upgrade_capacity",
  "upgrade_step",
  "upgrade_paused",
  "upgrade_resumed",
  "upgrade_rolled_back",
  "upgrade_rollback_settled",
  "upgrade_completed",
  "upgrade_released",
  "upgrade_status",
  "upgrade_failed",
] as const satisfies readonly UpgradeNotification["type"][];

const weights = (w: object) =>
  Object.entries(w)
    .map(([name, value]) => `${escapeText(name)} ${String(value)}`)
    .join(" / ");

const by = (actor: string | undefined) => (actor ? ` by ${escapeText(actor)}` : "");

/** Ready pods against the floor, over every mirrored HPA: "38/40 Ready pods for 3 HPAs". */
function readySummary(floors: readonly MirroredFloor[]): string {
  const floor = floors.reduce((n, f) => n + f.floor, 0);
  const ready = floors.reduce((n, f) => n + Math.min(f.ready, f.floor), 0);
  return `${ready}/${floor} Ready pods for ${floors.length} HPA${floors.length === 1 ? "" : "s"}`;
}

function status(n: UpgradeNotification): string {
  switch (n.type) {
    case "upgrade_started":
      return `:rocket: upgrade started${by(n.actor)}: plan ${escapeText(n.plan)}, ${n.percents.join("% → ")}% to ${escapeText(n.green)}`;
    case "upgrade_refused":
      return `:no_entry: refused, nothing moved: ${escapeText(n.reason)} · ${n.missing.length} missing`;
    case "upgrade_capacity":
      return n.ready
        ? `:white_check_mark: step ${n.step} (${n.percent}%): capacity Ready in ${escapeText(n.green)}: ${readySummary(n.floors)}`
        : `:hourglass_flowing_sand: step ${n.step} (${n.percent}%): floors raised in ${escapeText(n.green)}, waiting for ${readySummary(n.floors)}`;
    case "upgrade_step":
      return `:arrow_forward: step ${n.step}/${n.of}: ${n.percent}% to ${escapeText(n.green)} (${weights(n.weights)}) · waited ${seconds(n.capacityWaitMs)} for capacity · step took ${seconds(n.stepMs)}`;
    case "upgrade_paused":
      return `:double_vertical_bar: paused${by(n.actor)}: ${escapeText(n.reason)}`;
    case "upgrade_resumed":
      return `:arrow_forward: resumed${by(n.actor)}`;
    case "upgrade_rolled_back":
      return `:rewind: rolled back to ${escapeText(n.blue)} (${weights(n.weights)}): ${escapeText(n.reason)}${n.alarm ? ` (alarm ${code(n.alarm)})` : ""} · green's floors kept until blue is confirmed serving`;
    case "upgrade_rollback_settled":
      return `:white_check_mark: ${escapeText(n.blue)} serves again with ${n.bluePods} Ready pods; ${escapeText(n.green)}'s floors restored`;
    case "upgrade_completed":
      return `:white_check_mark: ${escapeText(n.green)} holds all the traffic (${weights(n.weights)}) after ${seconds(n.durationMs)}; baking before release`;
    case "upgrade_released":
      return `:checkered_flag: released ${escapeText(n.blue)}: ${n.blueTrafficPercent}% of the traffic, ${n.bluePods} pods left${n.scaledDown.length ? ` · scaled down ${n.scaledDown.length} HPA(s)` : ""}; the cluster is not deleted`;
    case "upgrade_status":
      return `:information_source: status: ${escapeText(n.text)}`;
    case "upgrade_failed":
      return `:x: upgrade failed: ${escapeText(n.reason)}`;
  }
}

/**
 * Lines as sections of at most ~2,900 characters each (Slack's limit is 3,000 per section), so a long list
 * (every missing item, every HPA's floor) is shown whole rather than cut.
 */
export function listSections(lines: readonly string[], limit = 2_900): Block[] {
  const blocks: Block[] = [];
  let current = "";
  for (const line of lines) {
    const piece = line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
    if (current && current.length + 1 + piece.length > limit) {
      blocks.push(section(current));
      current = "";
    }
    current = current ? `${current}\n${piece}` : piece;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

const floorLine = (f: MirroredFloor) =>
  `• ${code(`${f.namespace}/${f.hpa}`)} floor ${f.floor} (blue runs ${f.blueReplicas}) · ${f.ready}/${f.floor} Ready${f.ready >= f.floor ? "" : " :hourglass:"}`;

/**
 * The floors a step waited for. The engine may put them on the step itself (`floors`, absent with mirroring
 * off); read loosely, so a step without them still formats.
 */
const stepFloors = (n: UpgradeNotification): readonly MirroredFloor[] =>
  n.type === "upgrade_step" ? ((n as { floors?: MirroredFloor[] }).floors ?? []) : [];

function details(n: UpgradeNotification): string[] {
  if (n.type === "upgrade_refused") return n.missing.map((item) => `• ${escapeText(item)}`);
  if (n.type === "upgrade_capacity") return n.floors.map(floorLine);
  if (n.type === "upgrade_step") {
    const floors = stepFloors(n);
    return floors.length ? [`capacity waited for: ${readySummary(floors)}`, ...floors.map(floorLine)] : [];
  }
  if (n.type === "upgrade_released" && n.scaledDown.length) return n.scaledDown.map((hpa) => `• ${code(hpa)}`);
  return [];
}

/** Plain text for notifications and clients without blocks: the list as well, since it is the point. */
function fallback(n: UpgradeNotification): string {
  const head = `${n.type} for upgrade ${n.upgrade} (${n.blue} → ${n.green})`;
  if (n.type === "upgrade_refused") return `${head}: ${n.reason}; missing: ${n.missing.join("; ")}`;
  if (n.type === "upgrade_step")
    return `${head}: step ${n.step}/${n.of} ${n.percent}%, waited ${seconds(n.capacityWaitMs)} for capacity, took ${seconds(n.stepMs)}`;
  return head;
}

const title = (n: UpgradeNotification) =>
  `*Upgrade* ${code(n.upgrade)} · ${escapeText(n.blue)} → ${escapeText(n.green)} · ${code(n.rolloutId)}`;

export const upgradeFormatter: NotificationFormatter<UpgradeNotification> = {
  feature: "upgrade",
  thread: (n) => n.threadKey,
  namespaces: (n) => [...new Set((n.type === "upgrade_capacity" ? n.floors : stepFloors(n)).map((f) => f.namespace))],
  // A refusal may open the thread (the ready gate runs before any weight moves), and a thread's first
  // notification is posted as its parent only: the parent then lists what is missing too.
  parent: (n): SlackMessage => ({
    text:
      n.type === "upgrade_refused"
        ? fallback(n)
        : `Upgrade ${n.upgrade} · ${n.blue} → ${n.green} · ${n.rolloutId}: ${n.type}`,
    blocks: [
      section(title(n)),
      section(status(n)),
      ...(n.type === "upgrade_refused" ? listSections(details(n)).slice(0, 46) : []),
      context(`updated ${when(n.at)}`),
    ],
  }),
  step: (n): SlackMessage => ({
    text: fallback(n),
    // Slack takes 50 blocks: the status, the list, the context line.
    blocks: [section(status(n)), ...listSections(details(n)).slice(0, 48), stepContext(n)],
  }),
};
