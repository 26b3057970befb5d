import { describe, expect, it } from "vitest";
import {
  answeredChange,
  cordonChange,
  progressChange,
  readState,
  seenEvent,
  stateAnnotation,
} from "../../../../functions/core/drain/node-state.ts";
import { claimChange } from "../../../../functions/core/drain/ownership.ts";
import { Kind } from "../../../../functions/core/events/kinds.ts";
import type { NodeChange, NodeInfo } from "../../../../functions/core/ports.ts";
import { nodeInfo, spotMessage } from "../../../fixtures/messages.ts";

const now = new Date("2026-11-23T12:00:01Z");
const deadline = new Date("2026-11-23T12:01:45Z");

function apply(node: NodeInfo, change: NodeChange | undefined): NodeInfo {
  if (!change) return node;
  return {
    ...node,
    unschedulable: change.unschedulable ?? node.unschedulable,
    taints: change.taints ?? node.taints,
    labels: { ...node.labels, ...change.labels },
    annotations: { ...node.annotations, ...change.annotations },
  };
}

describe("cordonChange", () => {
  it("keeps taints others put on the node and adds one per kind", () => {
    const node = nodeInfo({ taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] });
    const change = cordonChange(node, spotMessage(), deadline, now);
    expect(change?.unschedulable).toBe(true);
    expect(change?.taints).toEqual([
      { key: "dedicated", value: "gpu", effect: "NoSchedule" },
      { key: "harbormaster.io/spot_interrupted", value: "true", effect: "NoSchedule" },
    ]);
    expect(change?.labels).toEqual({ "node.kubernetes.io/exclude-from-external-load-balancers": "true" });
  });

  it("writes nothing for a duplicate of an event already applied", () => {
    const once = apply(nodeInfo(), cordonChange(nodeInfo(), spotMessage(), deadline, now));
    expect(cordonChange(once, spotMessage(), deadline, now)).toBeUndefined();
  });

  it("merges a second kind into the same interruption, keeping the first event and the earliest deadline", () => {
    const once = apply(nodeInfo(), cordonChange(nodeInfo(), spotMessage(), deadline, now));
    const later = { ...spotMessage(), eventId: "evt-2", kind: Kind.TerminateLifecycle };
    const twice = apply(once, cordonChange(once, later, new Date("2026-11-23T12:10:00Z"), now));
    expect(readState(twice)).toMatchObject({
      eventId: "evt-i-0b662ef9931388ba0",
      eventIds: ["evt-i-0b662ef9931388ba0", "evt-2"],
      kinds: ["spot_interrupted", "terminate_lifecycle"],
      deadline: deadline.toISOString(),
    });
    expect(twice.taints.map((t) => t.key)).toEqual([
      "harbormaster.io/spot_interrupted",
      "harbormaster.io/terminate_lifecycle",
    ]);
  });

  it("starts a new interruption when the stored one's deadline has passed", () => {
    const rebalance = { ...spotMessage(), eventId: "evt-rebalance", kind: Kind.RebalanceRecommendation };
    const cordoned = apply(nodeInfo(), cordonChange(nodeInfo(), rebalance, new Date("2026-11-23T12:05:00Z"), now));
    const later = new Date("2026-11-23T12:30:00Z");
    const spot = { ...spotMessage(), eventId: "evt-spot" };
    const state = readState(apply(cordoned, cordonChange(cordoned, spot, new Date("2026-11-23T12:31:45Z"), later)));
    expect(state).toMatchObject({
      eventId: "evt-spot",
      kinds: ["spot_interrupted"],
      deadline: "2026-11-23T12:31:45.000Z",
      phase: "cordoned",
      startedAt: later.toISOString(),
    });
  });

  it("ignores an annotation it cannot read rather than failing", () => {
    expect(readState(nodeInfo({ annotations: { [stateAnnotation]: "{oops" } }))).toBeUndefined();
  });
});

describe("progressChange", () => {
  it("never reopens a drained node", () => {
    const once = apply(nodeInfo(), cordonChange(nodeInfo(), spotMessage(), deadline, now));
    const drained = apply(once, progressChange(once, { phase: "drained" }, now, undefined) as never);
    expect(readState(drained)?.phase).toBe("drained");
    expect(progressChange(drained, { phase: "draining", remaining: 3 }, now, undefined)).toBeUndefined();
  });

  it("writes only for the drain's owner", () => {
    const owned = ownedBy("owner-a");
    expect(progressChange(owned, { phase: "draining", evicted: 1 }, now, "owner-b")).toBeUndefined();
    expect(progressChange(owned, { phase: "draining", evicted: 1 }, now, undefined)).toBeUndefined();
    expect(readState(apply(owned, progressChange(owned, { evicted: 1 }, now, "owner-a")))?.evicted).toBe(1);
  });

  it("never lowers the evicted count, whatever a writer reports", () => {
    const owned = ownedBy("owner-a");
    const three = apply(owned, progressChange(owned, { phase: "draining", evicted: 3 }, now, "owner-a"));
    const lower = apply(three, progressChange(three, { phase: "draining", evicted: 1, remaining: 2 }, now, "owner-a"));
    expect(readState(lower)).toMatchObject({ evicted: 3, remaining: 2 });
  });

  it("ends the claim with the result and records the answered lifecycle event", () => {
    const owned = ownedBy("owner-a");
    const done = apply(
      owned,
      progressChange(owned, { phase: "drained", release: true, answered: "evt-1" }, now, "owner-a"),
    );
    expect(readState(done)?.owner).toBeUndefined();
    expect(readState(done)?.answered).toEqual(["evt-1"]);
  });
});

describe("redelivered events", () => {
  const cordoned = () => apply(nodeInfo(), cordonChange(nodeInfo(), spotMessage(), deadline, now));
  const afterDeadline = new Date(deadline.getTime() + 60_000);

  it("knows an event it has seen, past the deadline and after a finished drain", () => {
    const drained = apply(cordoned(), progressChange(cordoned(), { phase: "drained" }, now, undefined));
    expect(seenEvent(drained, spotMessage().eventId)).toBe(true);
    // Uncordoned by hand after the drain, the node is not cordoned again by a redelivery.
    const uncordoned = { ...drained, unschedulable: false, taints: [] };
    expect(cordonChange(uncordoned, spotMessage(), deadline, afterDeadline)).toBeUndefined();
  });

  it("remembers earlier interruptions' events when a new one starts, and their lifecycle answers", () => {
    const first = cordoned();
    const answered = apply(first, answeredChange(first, spotMessage().eventId, now));
    const next = { ...spotMessage(), eventId: "evt-next" };
    const second = readState(apply(answered, cordonChange(answered, next, afterDeadline, afterDeadline)));
    expect(second).toMatchObject({
      eventId: "evt-next",
      eventIds: [spotMessage().eventId, "evt-next"],
      answered: [spotMessage().eventId],
    });
  });
});

function ownedBy(id: string): NodeInfo {
  const node = apply(nodeInfo(), cordonChange(nodeInfo(), spotMessage(), deadline, now));
  return apply(node, claimChange(node, id, now));
}
