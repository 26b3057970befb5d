import { describe, expect, it } from "vitest";
import {
  emptyState,
  type Hold,
  holdKey,
  parseState,
  withHold,
  withRelease,
} from "../../../functions/core/prescaling/holds.ts";
import { reconcile } from "../../../functions/core/prescaling/reconcile.ts";

const t0 = Date.parse("2025-01-01T00:00:00Z");
const minute = 60_000;

function hold(trigger: string, levels: Hold["levels"], since = t0, expiresAt = t0 + 60 * minute): Hold {
  return { policy: "p", trigger, levels, since, expiresAt, thread: `t:${trigger}` };
}

describe("reconcile", () => {
  const original = { min: 2, max: 10 };

  it("raises to the hold's floor and records what it wrote", () => {
    const state = withHold(emptyState(original, 2), hold("alarm:a", { min: 6 }));
    const r = reconcile(original, state, t0);
    expect(r.write).toEqual({ min: 6 });
    expect(r.changes).toEqual([{ level: "min", from: 2, to: 6 }]);
    expect(parseState(r.annotation ?? "")?.applied).toEqual({ min: 6, max: 10 });
  });

  it("keeps the highest floor while overlapping holds last, and restores only after the last ends", () => {
    let state = withHold(emptyState(original, 2), hold("alarm:a", { min: 6 }, t0, t0 + 10 * minute));
    state = withHold(state, hold("alarm:b", { min: 4 }, t0, t0 + 20 * minute));
    let r = reconcile(original, state, t0);
    expect(r.write).toEqual({ min: 6 });

    r = reconcile({ min: 6, max: 10 }, r.state ?? state, t0 + 15 * minute);
    expect(r.released.map((h) => h.trigger)).toEqual(["alarm:a"]);
    expect(r.write).toEqual({ min: 4 });
    expect(r.annotation).not.toBeNull();

    r = reconcile({ min: 4, max: 10 }, r.state ?? state, t0 + 25 * minute);
    expect(r.released.map((h) => h.trigger)).toEqual(["alarm:b"]);
    expect(r.write).toEqual({ min: 2 });
    expect(r.annotation).toBeNull();
  });

  it("restores at expiry even when no release ever came", () => {
    const state = withHold(emptyState(original, 2), hold("alarm:a", { min: 6 }, t0, t0 + minute));
    const raised = reconcile(original, state, t0);
    const r = reconcile({ min: 6, max: 10 }, raised.state ?? state, t0 + minute);
    expect(r.write).toEqual({ min: 2 });
    expect(r.annotation).toBeNull();
  });

  it("never lowers a value a person changed after the raise, and says so", () => {
    const state = withHold(emptyState(original, 2), hold("alarm:a", { min: 6 }, t0, t0 + minute));
    const raised = reconcile(original, state, t0);
    const r = reconcile({ min: 9, max: 10 }, raised.state ?? state, t0 + minute);
    expect(r.overridden).toEqual([{ level: "min", ours: 6, theirs: 9 }]);
    expect(r.write).toEqual({});
    expect(r.annotation).toBeNull();
  });

  it("leaves a person's value alone for the rest of the episode, even when another hold asks more", () => {
    let state = withHold(emptyState(original, 2), hold("alarm:a", { min: 6 }));
    const raised = reconcile(original, state, t0);
    state = withHold(raised.state ?? state, hold("alarm:b", { min: 8 }));
    const r = reconcile({ min: 7, max: 10 }, state, t0);
    expect(r.write).toEqual({});
    expect(parseState(r.annotation ?? "")?.humanOwned).toEqual(["min"]);
  });

  it("raises the ceiling only through a hold that carries one, and restores it", () => {
    const state = withHold(emptyState(original, 2), hold("alarm:a", { min: 14, max: 14 }, t0, t0 + minute));
    const raised = reconcile(original, state, t0);
    expect(raised.write).toEqual({ min: 14, max: 14 });
    const r = reconcile({ min: 14, max: 14 }, raised.state ?? state, t0 + minute);
    expect(r.write).toEqual({ min: 2, max: 10 });
  });

  it("keeps a floor under the ceiling once the hold that raised the ceiling has ended", () => {
    let state = withHold(emptyState(original, 2), hold("alarm:a", { min: 14, max: 14 }, t0, t0 + minute));
    state = withHold(state, hold("alarm:b", { min: 12 }, t0, t0 + 10 * minute));
    const raised = reconcile(original, state, t0);
    const r = reconcile({ min: 14, max: 14 }, raised.state ?? state, t0 + 2 * minute);
    expect(r.write).toEqual({ min: 10, max: 10 });
  });
});

describe("holds", () => {
  const base = emptyState({ min: 2, max: 10 }, 2);

  it("renews a duplicate trigger without recomputing its levels, and cancels a pending release", () => {
    let state = withHold(base, hold("alarm:a", { min: 4 }));
    state = withRelease(state, holdKey("p", "alarm:a"), t0 + minute, t0 + 5 * minute);
    state = withHold(state, hold("alarm:a", { min: 8 }, t0 + 2 * minute));
    const renewed = state.holds[holdKey("p", "alarm:a")];
    expect(renewed?.levels).toEqual({ min: 4 });
    expect(renewed?.releaseAt).toBeUndefined();
    expect(renewed?.since).toBe(t0 + 2 * minute);
  });

  it("ignores a release older than the hold it would end", () => {
    const state = withHold(base, hold("alarm:a", { min: 4 }, t0 + minute));
    const after = withRelease(state, holdKey("p", "alarm:a"), t0, t0);
    expect(after.holds[holdKey("p", "alarm:a")]?.releaseAt).toBeUndefined();
  });

  it("never releases later than the expiry", () => {
    const state = withHold(base, hold("alarm:a", { min: 4 }, t0, t0 + minute));
    const after = withRelease(state, holdKey("p", "alarm:a"), t0, t0 + 60 * minute);
    expect(after.holds[holdKey("p", "alarm:a")]?.releaseAt).toBe(t0 + minute);
  });

  it("reads no state from a damaged annotation", () => {
    expect(parseState("{not json")).toBeUndefined();
    expect(parseState(JSON.stringify({ v: 2 }))).toBeUndefined();
  });
});
