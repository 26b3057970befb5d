import { describe, expect, it } from "vitest";
import { commandHeadroom } from "../../../functions/core/prescaling/command-scaler.ts";
import {
  commandPolicy,
  commandTrigger,
  defaultCommandSeconds,
  withCommandHold,
} from "../../../functions/core/prescaling/commands.ts";
import { emptyState, type Hold, holdKey, withHold } from "../../../functions/core/prescaling/holds.ts";
import { reconcile } from "../../../functions/core/prescaling/reconcile.ts";
import { parseTrigger, TriggerParseError } from "../../../functions/core/prescaling/triggers.ts";

const t0 = Date.parse("2025-01-01T00:00:00Z");
const minute = 60_000;
const key = holdKey(commandPolicy, commandTrigger);

function command(min: number, since = t0, minutes = 60): Hold {
  const expiresAt = since + minutes * minute;
  return {
    policy: commandPolicy,
    trigger: commandTrigger,
    by: "slack:U1",
    levels: { min },
    since,
    expiresAt,
    thread: "c",
  };
}

describe("a command message on the pre-scaling queue", () => {
  const message = {
    harbormaster: "prescaling",
    action: "command",
    command: { kind: "scale", namespace: "web", name: "api", min: 10, forSeconds: 7200 },
    actor: "slack:U0ALICE",
    requestId: "r-1",
    at: t0,
  };

  it("becomes a command trigger timed by when it was asked, not when it arrived", () => {
    expect(parseTrigger(JSON.stringify(message), "m1", t0 + 5000)).toEqual({
      type: "command",
      id: "r-1",
      command: message.command,
      actor: "slack:U0ALICE",
      at: t0,
    });
    const headroom = { ...message, command: { kind: "headroom", replicas: 3 } };
    expect(parseTrigger(JSON.stringify(headroom), "m2", 0)).toMatchObject({
      command: { kind: "headroom", replicas: 3 },
    });
  });

  it.each([
    [{ ...message, command: { ...message.command, min: 0 } }, "min"],
    [{ ...message, command: { ...message.command, forSeconds: 8 * 86_400 } }, "forSeconds"],
    [{ ...message, command: { kind: "evict" } }, "kind"],
    [{ ...message, actor: undefined }, "actor"],
  ])("is refused with the field that is wrong", (body, field) => {
    expect(() => parseTrigger(JSON.stringify(body), "m", 0)).toThrow(TriggerParseError);
    expect(() => parseTrigger(JSON.stringify(body), "m", 0)).toThrow(field);
  });

  it("holds for an hour unless it says otherwise", () => {
    expect(defaultCommandSeconds).toBe(3600);
  });
});

describe("a command's hold beside the policies' holds", () => {
  const original = { min: 2, max: 20 };

  it("replaces the previous command's hold: the latest word wins, higher or lower", () => {
    let state = withCommandHold(emptyState(original, 2), command(10));
    state = withCommandHold(state, command(5, t0 + minute));
    expect(state.holds[key]?.levels).toEqual({ min: 5 });
    expect(reconcile(original, state, t0 + minute).write).toEqual({ min: 5 });
  });

  it("ignores a command older than the one it holds, and a redelivery changes nothing", () => {
    const held = withCommandHold(emptyState(original, 2), command(10, t0 + minute));
    expect(withCommandHold(held, command(3, t0))).toBe(held);
    expect(withCommandHold(held, command(10, t0 + minute)).holds).toEqual(held.holds);
  });

  it("at the original floor ends its hold, and the originals come back", () => {
    const raised = reconcile(original, withCommandHold(emptyState(original, 2), command(10)), t0);
    const ended = withCommandHold(raised.state ?? emptyState(original, 2), command(2, t0 + minute));
    const r = reconcile({ min: 10, max: 20 }, ended, t0 + minute);
    expect(r.released.map((h) => h.trigger)).toEqual([commandTrigger]);
    expect(r.write).toEqual({ min: 2 });
    expect(r.annotation).toBeNull();
    expect(withCommandHold(emptyState(original, 2), command(2)).holds).toEqual({});
  });

  it("meets a policy's hold: the higher floor wins, and the true original returns after both", () => {
    const policy: Hold = {
      policy: "ads",
      trigger: "alarm:p99",
      levels: { min: 6 },
      since: t0,
      expiresAt: t0 + 30 * minute,
      thread: "a",
    };
    let state = withHold(emptyState(original, 2), policy);
    state = withCommandHold(state, command(4, t0, 60));
    let r = reconcile(original, state, t0);
    expect(r.write).toEqual({ min: 6 });
    r = reconcile({ min: 6, max: 20 }, r.state ?? state, t0 + 31 * minute);
    expect(r.write).toEqual({ min: 4 });
    r = reconcile({ min: 4, max: 20 }, r.state ?? state, t0 + 61 * minute);
    expect(r.write).toEqual({ min: 2 });
    expect(r.annotation).toBeNull();
  });
});

describe("the headroom Deployment a command sizes", () => {
  const spec = (name: string) => ({
    namespace: "hm",
    name,
    priorityClassName: "p",
    unit: { cpu: "1", memory: "1Gi" },
    nodeSelector: {},
    sizing: { mode: "units" as const, units: 1 },
  });

  it("is the one the policies name, and only one", () => {
    expect(commandHeadroom([undefined])).toEqual({ none: true });
    expect(commandHeadroom([spec("headroom"), undefined, spec("headroom")])).toEqual({ spec: spec("headroom") });
    expect(commandHeadroom([spec("a"), spec("b")])).toEqual({ several: ["hm/a", "hm/b"] });
  });
});
