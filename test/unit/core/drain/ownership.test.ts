import { describe, expect, it } from "vitest";
import { cordonChange, progressChange, readState } from "../../../../functions/core/drain/node-state.ts";
import {
  claimChange,
  leaseMs,
  ownsDrain,
  releaseChange,
  renewChange,
} from "../../../../functions/core/drain/ownership.ts";
import type { NodeChange, NodeInfo } from "../../../../functions/core/ports.ts";
import { nodeInfo, spotMessage } from "../../../fixtures/messages.ts";

const now = new Date("2026-11-23T12:00:01Z");
const deadline = new Date("2026-11-23T12:01:45Z");
const later = (ms: number) => new Date(now.getTime() + ms);

function apply(node: NodeInfo, change: NodeChange | undefined): NodeInfo {
  return change ? { ...node, annotations: { ...node.annotations, ...change.annotations } } : node;
}

const cordoned = () => apply(nodeInfo(), cordonChange(nodeInfo(), spotMessage(), deadline, now));

describe("drain ownership", () => {
  it("gives the drain to the first claim and refuses a second while the lease holds", () => {
    const owned = apply(cordoned(), claimChange(cordoned(), "a", now));
    expect(ownsDrain(owned, "a")).toBe(true);
    expect(claimChange(owned, "b", later(leaseMs - 1))).toBeUndefined();
  });

  it("lets another invocation take over once the owner's lease has lapsed", () => {
    const owned = apply(cordoned(), claimChange(cordoned(), "a", now));
    const taken = apply(owned, claimChange(owned, "b", later(leaseMs + 1)));
    expect(ownsDrain(taken, "b")).toBe(true);
    // The old owner, back from a stall, can neither renew nor release the new owner's claim.
    expect(renewChange(taken, "a", later(leaseMs + 2))).toBeUndefined();
    expect(releaseChange(taken, "a", later(leaseMs + 2))).toBeUndefined();
  });

  it("extends the lease with the owner's own progress save, so a drain that moves pods needs no renewal", () => {
    const owned = apply(cordoned(), claimChange(cordoned(), "a", now));
    const saved = apply(owned, progressChange(owned, { phase: "draining", evicted: 3 }, later(leaseMs - 1_000), "a"));
    expect(readState(saved)?.owner?.until).toBe(later(2 * leaseMs - 1_000).toISOString());
    expect(claimChange(saved, "b", later(leaseMs + 1))).toBeUndefined();
    // Another's save extends nothing: it is refused outright.
    expect(progressChange(saved, { phase: "draining", evicted: 4 }, later(leaseMs), "b")).toBeUndefined();
  });

  it("extends the lease on renewal, so a live owner keeps its drain", () => {
    const owned = apply(cordoned(), claimChange(cordoned(), "a", now));
    const renewed = apply(owned, renewChange(owned, "a", later(leaseMs - 1_000)));
    expect(claimChange(renewed, "b", later(leaseMs + 1))).toBeUndefined();
    expect(Date.parse(readState(renewed)?.owner?.until ?? "")).toBe(later(2 * leaseMs - 1_000).getTime());
  });

  it("lets the next invocation claim at once after a release", () => {
    const owned = apply(cordoned(), claimChange(cordoned(), "a", now));
    const released = apply(owned, releaseChange(owned, "a", now));
    expect(ownsDrain(apply(released, claimChange(released, "b", now)), "b")).toBe(true);
  });

  it.each(["drained", "failed"] as const)("never claims a %s drain", (phase) => {
    const owned = apply(cordoned(), claimChange(cordoned(), "a", now));
    const done = apply(owned, progressChange(owned, { phase, release: true }, now, "a"));
    expect(claimChange(done, "b", now)).toBeUndefined();
  });

  it("claims nothing on a node without interruption state", () => {
    expect(claimChange(nodeInfo(), "a", now)).toBeUndefined();
  });
});
