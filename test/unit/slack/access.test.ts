import { describe, expect, it } from "vitest";
import { accessRulesSchema, authorize } from "../../../functions/core/slack/access.ts";
import type { Command } from "../../../functions/core/slack/commands.ts";

const rules = accessRulesSchema.parse([
  { users: ["U1"], channels: ["C1"], commands: "*", clusters: ["prod"] },
  { users: "*", channels: "*", commands: ["status", "nodes"] },
  { users: ["U2"], channels: "*", commands: ["shift", "rollback"], domains: ["shop.example.com"] },
]);
const drain: Command = { name: "drain", node: "n1" };

describe("the allow-list", () => {
  it("allows what one rule covers: user, channel, command and cluster", () => {
    expect(authorize(rules, { user: "U1", channel: "C1", command: drain, cluster: "prod" })).toBe(true);
  });

  it.each([
    ["another user", { user: "U9", channel: "C1", cluster: "prod" }],
    ["another channel", { user: "U1", channel: "C9", cluster: "prod" }],
    ["another cluster", { user: "U1", channel: "C1", cluster: "staging" }],
  ])("refuses %s", (_, request) => {
    expect(authorize(rules, { ...request, command: drain })).toBe(false);
  });

  it("lets anyone read status anywhere, and checks domains for traffic commands", () => {
    expect(authorize(rules, { user: "U9", channel: "C9", command: { name: "status" }, cluster: "staging" })).toBe(true);
    const shift = (domain: string): Command => ({ name: "shift", domain, percent: 10 });
    expect(authorize(rules, { user: "U2", channel: "C9", command: shift("shop.example.com"), cluster: "" })).toBe(true);
    expect(authorize(rules, { user: "U2", channel: "C9", command: shift("bank.example.com"), cluster: "" })).toBe(
      false,
    );
  });

  it("allows nothing without rules, and rejects rules with unknown keys or commands", () => {
    expect(authorize([], { user: "U1", channel: "C1", command: drain, cluster: "prod" })).toBe(false);
    expect(() => accessRulesSchema.parse([{ users: "*", channels: "*", commands: ["nuke"] }])).toThrow();
    expect(() => accessRulesSchema.parse([{ users: "*", channels: "*", commands: "*", admin: true }])).toThrow();
  });
});
