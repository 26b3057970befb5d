// One of each upgrade notification, as the engine would send them for one run of one upgrade.
import type { UpgradeNotification } from "../../../functions/core/upgrade/notifications.ts";

const base = (suffix: string) => ({
  threadKey: "upgrade/prod-1-31/r-7",
  dedupeKey: `upgrade/prod-1-31/r-7/${suffix}`,
  at: "2026-12-03T13:00:00Z",
  upgrade: "prod-1-31",
  rolloutId: "r-7",
  blue: "production-blue",
  green: "production-green",
});

const floors = [
  { namespace: "ads", hpa: "adserver", blueReplicas: 12, floor: 7, ready: 7 },
  { namespace: "ads", hpa: "scissors", blueReplicas: 5, floor: 3, ready: 1 },
];

export const upgradeSamples = {
  upgrade_started: {
    ...base("started"),
    type: "upgrade_started",
    plan: "Linear25Percent",
    percents: [25, 50, 75, 100],
    actor: "slack:U0ALICE",
  },
  upgrade_refused: {
    ...base("refused"),
    type: "upgrade_refused",
    reason: "the ready gate failed",
    missing: ["deployment ads/scissors is not in production-green", "node green-2 is not Ready"],
  },
  upgrade_capacity: { ...base("capacity/1"), type: "upgrade_capacity", step: 1, percent: 25, floors, ready: false },
  upgrade_step: {
    ...base("step/2"),
    type: "upgrade_step",
    step: 2,
    of: 4,
    percent: 50,
    weights: { "production-blue": 50, "production-green": 50 },
    capacityWaitMs: 34_200,
    stepMs: 41_050,
  },
  upgrade_paused: { ...base("paused"), type: "upgrade_paused", reason: "capacity timed out", actor: "slack:U0BOB" },
  upgrade_resumed: { ...base("resumed"), type: "upgrade_resumed", actor: "slack:U0BOB" },
  upgrade_rolled_back: {
    ...base("rolled-back"),
    type: "upgrade_rolled_back",
    reason: "alarm in ALARM",
    alarm: "green-5xx",
    weights: { "production-blue": 100, "production-green": 0 },
  },
  upgrade_rollback_settled: { ...base("settled"), type: "upgrade_rollback_settled", bluePods: 17 },
  upgrade_completed: {
    ...base("completed"),
    type: "upgrade_completed",
    weights: { "production-blue": 0, "production-green": 100 },
    durationMs: 612_000,
  },
  upgrade_released: {
    ...base("released"),
    type: "upgrade_released",
    blueTrafficPercent: 0,
    bluePods: 4,
    scaledDown: ["ads/adserver", "ads/scissors"],
  },
  upgrade_status: { ...base("status/1"), type: "upgrade_status", text: "step 2/4 at 50%, baking until 13:10" },
  upgrade_failed: { ...base("failed"), type: "upgrade_failed", reason: "Route53 refused the change" },
} satisfies { [T in UpgradeNotification["type"]]: Extract<UpgradeNotification, { type: T }> };
