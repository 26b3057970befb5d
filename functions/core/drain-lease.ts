// The I/O around drain ownership (drain/ownership.ts): claiming, waiting for another owner, renewing.
import { finished, type InterruptionState, readState } from "./drain/node-state.ts";
import { claimChange, claimPollMs, ownsDrain, releaseChange, renewChange, renewEveryMs } from "./drain/ownership.ts";
import type { Clock, ClusterPort } from "./ports.ts";

export type Claim =
  /** This invocation drains; `state` is the node's state as claimed, with the counts so far. */
  | { outcome: "owner"; state: InterruptionState }
  /** Another invocation finished the drain (this one may have waited for it). */
  | { outcome: "finished"; state: InterruptionState }
  /** Another owner is still draining when this invocation must hand over. */
  | { outcome: "waiting" }
  /** The node carries no interruption state (removed by hand): nothing to claim. */
  | { outcome: "unclaimed" };

interface LeaseDeps {
  cluster: ClusterPort;
  clock: Clock;
}

/**
 * Claims the drain, or waits while another invocation owns it: until it reports a result (up to the
 * event's deadline, when the owner stops), its lease lapses (it died: this one takes over), or `pauseAt`
 * (0: look once).
 */
export async function claimDrain(deps: LeaseDeps, nodeName: string, ownerId: string, pauseAt: number): Promise<Claim> {
  for (;;) {
    const node = await deps.cluster.updateNode(nodeName, (current) =>
      claimChange(current, ownerId, new Date(deps.clock.now())),
    );
    const state = readState(node);
    if (!state) return { outcome: "unclaimed" };
    if (finished(state)) return { outcome: "finished", state };
    if (ownsDrain(node, ownerId)) return { outcome: "owner", state };
    if (deps.clock.now() >= pauseAt) return { outcome: "waiting" };
    await deps.clock.sleep(claimPollMs);
  }
}

/** What the owner's drain tells its lease: a progress save extended it, or found another owner. */
export interface LeaseHandle {
  /** A progress save by the owner extended the lease (progressChange does), so no renewal is due yet. */
  renewed(): void;
  /** A write found another owner: stop now. */
  lost(): void;
}

/**
 * Runs the owner's drain while keeping its lease. Progress saves (every few seconds while pods move)
 * extend it; a separate renewal is written only when none did for `renewEveryMs`, so a burst of a hundred
 * drains does not add a hundred node writes every 15 s to the apiserver's load. If a write finds
 * another owner (this one stalled past its lease and was taken over), `signal` aborts and the drain stops:
 * two owners must never evict at once.
 */
export async function withLease<T>(
  deps: LeaseDeps,
  nodeName: string,
  ownerId: string,
  work: (lost: AbortSignal, lease: LeaseHandle) => Promise<T>,
): Promise<T> {
  const lost = new AbortController();
  const stop = new AbortController();
  let renewedAt = deps.clock.now();
  const lease: LeaseHandle = {
    renewed: () => {
      renewedAt = deps.clock.now();
    },
    lost: () => lost.abort(),
  };
  const renewals = (async () => {
    for (;;) {
      await deps.clock.sleep(Math.max(0, renewedAt + renewEveryMs - deps.clock.now()), stop.signal);
      if (stop.signal.aborted) return;
      if (deps.clock.now() - renewedAt < renewEveryMs) continue;
      // A failed renewal is tried again; the lease has room for two.
      const node = await deps.cluster
        .updateNode(nodeName, (current) => renewChange(current, ownerId, new Date(deps.clock.now())))
        .catch(() => undefined);
      if (node && !ownsDrain(node, ownerId)) return lost.abort();
      if (node) renewedAt = deps.clock.now();
    }
  })();
  try {
    return await work(lost.signal, lease);
  } finally {
    stop.abort();
    await renewals;
  }
}

/** Best effort: a claim that is not released lapses by itself. */
export async function releaseDrain(deps: LeaseDeps, nodeName: string, ownerId: string): Promise<void> {
  await deps.cluster
    .updateNode(nodeName, (current) => releaseChange(current, ownerId, new Date(deps.clock.now())))
    .catch(() => undefined);
}
