import { describe, expect, it } from "vitest";
import { accessRulesSchema, authorize } from "../../../functions/core/slack/access.ts";
import {
  type Command,
  changes,
  helpLines,
  needsConfirmation,
  parseCommand,
} from "../../../functions/core/slack/commands.ts";
import { confirmPrompt } from "../../../functions/core/slack/replies.ts";
import { unknownUpgrade } from "../../../functions/core/slack/upgrade-words.ts";

const parse = (text: string) => parseCommand(text, "/hm");
const command = (text: string): Command => {
  const parsed = parse(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value.command;
};

describe("the upgrade commands' grammar", () => {
  it.each([
    ["upgrade start prod-1-31", "start"],
    ["upgrade status prod-1-31", "status"],
    ["UPGRADE Promote PROD-1-31", "promote"],
    ["upgrade pause prod-1-31", "pause"],
    ["upgrade resume prod-1-31", "resume"],
    ["upgrade rollback prod-1-31", "rollback"],
  ])("parses %j", (text, action) => {
    expect(parse(text)).toEqual({ ok: true, value: { command: { name: "upgrade", action, upgrade: "prod-1-31" } } });
  });

  it.each([
    ["upgrade", "say what to do: start, status, promote, pause, resume, rollback"],
    ["upgrade prod-1-31", "say what to do: start, status, promote, pause, resume, rollback"],
    ["upgrade abort prod-1-31", "say what to do: start, status, promote, pause, resume, rollback"],
    ["upgrade start", "name one upgrade"],
    ["upgrade start a b", "name one upgrade"],
    ["upgrade start pr*d", '"pr*d" is not an upgrade name'],
    ["upgrade start prod --cluster production-green", "an upgrade names its own blue and green clusters"],
    ["upgrade start prod on production-green", "an upgrade names its own blue and green clusters"],
  ])("refuses %j, saying why and how to type it", (text, why) => {
    const parsed = parse(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toContain(why);
    expect(parsed.message).toContain("Usage: `/hm upgrade start|status|promote|pause|resume|rollback <upgrade>`");
  });

  it("is in the help, without a --cluster flag", () => {
    expect(helpLines("/hm")).toContain("/hm upgrade start|status|promote|pause|resume|rollback <upgrade>");
  });

  it("asks confirmation to start, promote, resume and roll back; not to pause or read the status", () => {
    const asks = ["start", "status", "promote", "pause", "resume", "rollback"].filter((a) =>
      needsConfirmation(command(`upgrade ${a} x`)),
    );
    expect(asks).toEqual(["start", "promote", "resume", "rollback"]);
  });

  it("audits every action as a change except status", () => {
    const audited = ["start", "status", "promote", "pause", "resume", "rollback"].filter((a) =>
      changes(command(`upgrade ${a} x`)),
    );
    expect(audited).toEqual(["start", "promote", "pause", "resume", "rollback"]);
  });

  it("names the known upgrades when one is unknown", () => {
    const known = { b: { domain: "ads", blue: "x", green: "y" }, a: { domain: "ads", blue: "y", green: "x" } };
    expect(unknownUpgrade("c", known)).toBe('unknown upgrade "c": one of a, b');
    expect(unknownUpgrade("c", {})).toBe('unknown upgrade "c": no upgrades are configured in this deployment');
  });

  it("confirms with what it will do, to which domain and clusters", () => {
    const reply = confirmPrompt("upgrade start p", command("upgrade start p"), "upgrade p (ads: blue → green)");
    expect(JSON.stringify(reply.blocks)).toContain("This will start upgrade p (ads: blue → green)");
  });
});

describe("who may run an upgrade command", () => {
  const rules = accessRulesSchema.parse([
    { users: ["U1"], channels: ["C1"], commands: ["upgrade"], domains: ["ads"], clusters: ["blue", "green"] },
    { users: ["U2"], channels: "*", commands: "*", clusters: ["blue"] },
    { users: ["U3"], channels: "*", commands: ["shift"] },
  ]);
  const start: Command = { name: "upgrade", action: "start", upgrade: "p" };
  const upgrade = { domain: "ads", blue: "blue", green: "green" };
  const ask = (user: string, target: typeof upgrade | null = upgrade, channel = "C1") =>
    authorize(rules, { user, channel, command: start, cluster: "", upgrade: target ?? undefined });

  it("allows a rule that covers the command, the upgrade's domain and both its clusters", () => {
    expect(ask("U1")).toBe(true);
  });

  it("refuses a rule missing either cluster, the domain, the command or the channel", () => {
    expect(ask("U2")).toBe(false);
    expect(ask("U1", { ...upgrade, domain: "bank" })).toBe(false);
    expect(ask("U1", { ...upgrade, green: "red" })).toBe(false);
    expect(ask("U3")).toBe(false);
    expect(ask("U1", upgrade, "C9")).toBe(false);
  });

  it("refuses an upgrade it was not told about", () => {
    expect(ask("U1", null)).toBe(false);
  });
});
