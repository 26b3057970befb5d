import { describe, expect, it } from "vitest";
import { parseTrafficEvent } from "../../../functions/core/traffic/inbound.ts";

const event = (detail: unknown) => ({
  id: "ev-1",
  source: "harbormaster.upgrade",
  "detail-type": "Cluster Upgrade",
  time: "2026-12-03T12:00:00Z",
  detail,
});

describe("the upgrade's inputs to the traffic function", () => {
  it("reads the custom event, its id naming the command", () => {
    expect(parseTrafficEvent(event({ upgrade: "web", action: "start", actor: "ana" }))).toEqual({
      kind: "upgrade",
      upgrade: "web",
      action: "start",
      actor: "ana",
      eventId: "ev-1",
    });
  });

  it("reads its step schedule's payload", () => {
    const payload = {
      harbormaster: "harbormaster.upgrade.step",
      upgrade: "web",
      rolloutId: "r0123456789a",
      revision: 4,
    };
    expect(parseTrafficEvent(payload)).toEqual({
      kind: "upgrade_step",
      ticket: { upgrade: "web", rolloutId: "r0123456789a", revision: 4 },
    });
  });

  it("rejects an unknown action, naming the field", () => {
    expect(() => parseTrafficEvent(event({ upgrade: "web", action: "explode" }))).toThrow("action");
  });
});
