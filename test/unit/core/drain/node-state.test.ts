import { describe, expect, it } from "vitest";
import {
  cordonChange,
  progressChange,
  readState,
  stateAnnotation,
} from "../../../../functions/core/drain/node-state.ts";
import { Kind } from "../../../../functions/core/events/kinds.ts";
import type { NodeInfo } from "../../../../functions/core/ports.ts";
import { nodeInfo, spotMessage } from "../../../fixtures/messages.ts";

const now = new Date("2026-11-23T12:00:01Z");
const deadline = new Date("2026-11-23T12:01:45Z");

function apply(node: NodeInfo, change: ReturnType<typeof cordonChange>): NodeInfo {
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
    const drained = apply(once, progressChange(once, { phase: "drained" }, now) as never);
    expect(readState(drained)?.phase).toBe("drained");
    expect(progressChange(drained, { phase: "draining", remaining: 3 }, now)).toBeUndefined();
  });
});
