// One notification of every type each feature publishes, in a cluster, for tests that must cover them all.
import type { InterruptionNotification, Notification } from "../../functions/core/notifications.ts";
import type { PrescalingNotification } from "../../functions/core/prescaling/notifications.ts";
import type { TrafficNotification } from "../../functions/core/traffic/notifications.ts";

const at = "2026-12-03T08:00:00.000Z";
const later = "2026-12-03T09:00:00.000Z";
const blocked = [{ namespace: "shop", name: "cart-0", budgets: ["cart"], message: "" }];
const hpa = { kind: "HorizontalPodAutoscaler" as const, namespace: "shop", name: "web" };
const weights = { blue: 75, green: 25 };

type Body<T> = T extends unknown ? Omit<T, keyof InterruptionBase> : never;
type InterruptionBase = Pick<
  InterruptionNotification,
  "threadKey" | "dedupeKey" | "at" | "cluster" | "kind" | "instanceId" | "eventId" | "nodeName"
>;

const interruptionBodies: Body<InterruptionNotification>[] = [
  { type: "drain_started", deadline: later, action: "cordon_and_drain" },
  { type: "drain_blocked", blocked, evicted: 1, remaining: 1 },
  { type: "drain_completed", evicted: 3, forced: 0, durationMs: 41_000 },
  { type: "drain_failed", reason: "deadline", blocked },
  { type: "instance_event", action: "notify_only", detail: "rebalance" },
];

/** Every interruption type for one instance of `cluster`, as the interruption function threads them. */
export function interruptionSamples(cluster: string, instanceId = "i-0abc"): InterruptionNotification[] {
  return interruptionBodies.map(
    (body) =>
      ({
        threadKey: `${instanceId}/ev-1`,
        dedupeKey: `${instanceId}/ev-1/${body.type}`,
        at,
        cluster,
        kind: "spot_interrupted",
        instanceId,
        eventId: "ev-1",
        nodeName: "ip-10-0-0-1.ec2.internal",
        ...body,
      }) as InterruptionNotification,
  );
}

type PrescalingBody<T> = T extends unknown
  ? Omit<T, "threadKey" | "dedupeKey" | "at" | "cluster" | "policy" | "trigger" | "eventId">
  : never;

const prescalingBodies: PrescalingBody<PrescalingNotification>[] = [
  {
    type: "prescale_raised",
    expiresAt: later,
    targets: [{ target: hpa, object: hpa, changes: [{ level: "min", from: 2, to: 8 }] }],
  },
  { type: "prescale_restore_scheduled", restoreAt: later },
  { type: "prescale_restored", object: hpa, reason: "expired", changes: [], kept: [] },
  { type: "prescale_overridden", object: hpa, level: "min", ours: 8, theirs: 4 },
  { type: "prescale_failed", reason: "forbidden" },
];

/** Every pre-scaling type of one raise by policy `shop` in `cluster`. */
export function prescalingSamples(cluster: string): PrescalingNotification[] {
  return prescalingBodies.map(
    (body) =>
      ({
        threadKey: "prescaling/shop/ev-1",
        dedupeKey: `prescaling/shop/ev-1/${body.type}`,
        at,
        cluster,
        policy: "shop",
        trigger: "alarm:queue-depth",
        eventId: "ev-1",
        ...body,
      }) as PrescalingNotification,
  );
}

type TrafficBody<T> = T extends unknown ? Omit<T, "threadKey" | "dedupeKey" | "at" | "cluster"> : never;

const rollout = { domain: "ads.example.com", rolloutId: "r-1", target: "green" };
const trafficBodies: TrafficBody<TrafficNotification>[] = [
  { ...rollout, type: "rollout_started", plan: "default", percents: [10, 50, 100], baseline: { blue: 100, green: 0 } },
  { ...rollout, type: "rollout_step", step: 1, of: 3, percent: 25, weights, bakeUntil: later },
  { ...rollout, type: "rollout_waiting", reason: "alarm in ALARM", retryAt: later },
  { ...rollout, type: "rollout_paused", reason: "asked", actor: "slack:U1" },
  { ...rollout, type: "rollout_resumed", actor: "slack:U1" },
  { ...rollout, type: "rollout_shifted", percent: 25, weights, reason: "asked" },
  { ...rollout, type: "rollout_completed", weights: { blue: 0, green: 100 }, durationMs: 60_000 },
  { ...rollout, type: "rollout_rolled_back", reason: "alarm", alarm: "p99", weights, durationMs: 9_000 },
  { ...rollout, type: "rollout_aborted", reason: "asked", weights },
  { ...rollout, type: "rollout_refused", reason: "records changed" },
  { ...rollout, type: "rollout_conflict", reason: "records changed" },
  { type: "deploy_event", source: "argocd", application: "ads", status: "succeeded", environment: "prod" },
];

/** Every traffic type of one rollout of ads.example.com from blue to green; `cluster` when the sender knows it. */
export function trafficSamples(cluster?: string): TrafficNotification[] {
  return trafficBodies.map(
    (body) =>
      ({
        threadKey: "traffic/ads.example.com/r-1",
        dedupeKey: `traffic/ads.example.com/r-1/${body.type}`,
        at,
        ...(cluster ? { cluster } : {}),
        ...body,
      }) as TrafficNotification,
  );
}

/** A type no feature formats: the generic formatter's. */
export function unknownSample(cluster: string): Notification {
  return {
    type: "capacity_reserved",
    threadKey: "capacity/shop",
    dedupeKey: "capacity/shop/1",
    at,
    cluster,
    namespace: "shop",
  } as unknown as Notification;
}
