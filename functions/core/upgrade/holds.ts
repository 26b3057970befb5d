// Floors an upgrade raises, held through the pre-scaling core: each hold has an expiry, so the
// pre-scaling sweep restores it even if the upgrade's function never runs again.
import { holdKey, withRelease } from "../prescaling/holds.ts";
import type { Prescaler } from "../prescaling/prescaler.ts";
import { stateOrNew } from "../prescaling/reconcile.ts";

export interface FloorRequest {
  namespace: string;
  name: string;
  min: number;
}

/** One run's hold: policy `upgrade:<name>`, trigger the run's id. */
export interface HoldOwner {
  policy: string;
  trigger: string;
  /** The upgrade's Slack thread: pre-scaling's restore notices land there. */
  thread: string;
}

export function holdOwner(upgrade: string, rolloutId: string, thread: string): HoldOwner {
  return { policy: `upgrade:${upgrade}`, trigger: rolloutId, thread };
}

const hpaRef = (namespace: string, name: string) => ({ kind: "HorizontalPodAutoscaler" as const, namespace, name });

/**
 * Holds each HPA's minReplicas at least at `min` until `expiresAt`. A floor only rises within a run (a
 * duplicate or late ticket cannot lower it), and the expiry is renewed by every call.
 */
export async function holdFloors(
  prescaler: Prescaler,
  owner: HoldOwner,
  floors: readonly FloorRequest[],
  now: number,
  expiresAt: number,
  eventId: string,
): Promise<void> {
  const key = holdKey(owner.policy, owner.trigger);
  await Promise.all(
    floors.map((floor) =>
      prescaler.apply(hpaRef(floor.namespace, floor.name), eventId, (state, current) => {
        const started = stateOrNew(state, current.levels, current.replicas);
        const existing = started.holds[key];
        const min = Math.max(existing?.levels.min ?? 0, floor.min);
        const hold = {
          policy: owner.policy,
          trigger: owner.trigger,
          levels: { min },
          since: existing?.since ?? now,
          expiresAt: Math.max(existing?.expiresAt ?? 0, expiresAt),
          thread: owner.thread,
        };
        return { ...started, holds: { ...started.holds, [key]: hold } };
      }),
    ),
  );
}

/** Ends this run's hold on each HPA now: the originals come back unless another hold still asks more. */
export async function releaseFloors(
  prescaler: Prescaler,
  owner: HoldOwner,
  hpas: readonly { namespace: string; name: string }[],
  now: number,
  eventId: string,
): Promise<void> {
  const key = holdKey(owner.policy, owner.trigger);
  await Promise.all(
    hpas.map((hpa) =>
      prescaler.apply(hpaRef(hpa.namespace, hpa.name), eventId, (state) =>
        state?.holds[key] ? withRelease(state, key, now, now) : state,
      ),
    ),
  );
}
