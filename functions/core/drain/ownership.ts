// One owner per drain. SQS delivers at least once, so two copies of one warning can run in two Lambda
// environments at the same moment; both draining means double evictions and a progress annotation whose
// last writer wins. The owner is recorded in the node's interruption state. Every write to it is a
// compare-and-swap (the adapter sends the node's resourceVersion and re-reads on 409), so of two
// invocations claiming at once exactly one succeeds. The claim is a lease: the owner renews it while it
// drains, and when an owner dies its lease lapses and a waiting invocation takes over.
import type { NodeChange, NodeInfo } from "../ports.ts";
import { finished, leaseFor, readState, withState } from "./node-state.ts";

export { leaseMs } from "./node-state.ts";

/** Three renewals per lease, so one slow or failed write does not lose it. */
export const renewEveryMs = 15_000;
/** How often an invocation that does not own the drain looks at the node again. */
export const claimPollMs = 1_000;

/** Claims the node's drain for `ownerId`, unless it is finished or another owner's lease still holds. */
export function claimChange(node: NodeInfo, ownerId: string, now: Date): NodeChange | undefined {
  const state = readState(node);
  if (!state || finished(state)) return undefined;
  const held = state.owner && state.owner.id !== ownerId && Date.parse(state.owner.until) > now.getTime();
  if (held) return undefined;
  return withState({ ...state, owner: leaseFor(ownerId, now), updatedAt: now.toISOString() });
}

/** Extends the lease while `ownerId` still holds it; nothing once another has taken over. */
export function renewChange(node: NodeInfo, ownerId: string, now: Date): NodeChange | undefined {
  const state = readState(node);
  if (state?.owner?.id !== ownerId) return undefined;
  return withState({ ...state, owner: leaseFor(ownerId, now), updatedAt: now.toISOString() });
}

/** Gives the claim up (after a failure), so the retry need not wait for the lease to lapse. */
export function releaseChange(node: NodeInfo, ownerId: string, now: Date): NodeChange | undefined {
  const state = readState(node);
  if (state?.owner?.id !== ownerId) return undefined;
  return withState({ ...state, owner: undefined, updatedAt: now.toISOString() });
}

export function ownsDrain(node: NodeInfo, ownerId: string): boolean {
  return readState(node)?.owner?.id === ownerId;
}
