import { describe, expect, it } from "vitest";
import { canonicalText } from "../../../functions/core/slack/cluster-words.ts";
import {
  changes,
  durationSeconds,
  helpLines,
  needsConfirmation,
  parseCommand,
} from "../../../functions/core/slack/commands.ts";

const parse = (text: string) => parseCommand(text, "/harbormaster");

describe("the slash command grammar", () => {
  it.each([
    ["", { command: { name: "help" } }],
    ["status", { command: { name: "status" } }],
    ["NODES on prod-eu", { command: { name: "nodes" }, cluster: "prod-eu" }],
    ["drain ip-10-0-1-2.ec2.internal", { command: { name: "drain", node: "ip-10-0-1-2.ec2.internal" } }],
    ["cordon n1 on prod", { command: { name: "cordon", node: "n1" }, cluster: "prod" }],
    ["scale shop/web 12", { command: { name: "scale", namespace: "shop", hpa: "web", min: 12 } }],
    [
      "scale shop/web 12 for 1h30m",
      { command: { name: "scale", namespace: "shop", hpa: "web", min: 12, forSeconds: 5400 } },
    ],
    [
      "scale shop/web 12 FOR 2d on prod",
      { command: { name: "scale", namespace: "shop", hpa: "web", min: 12, forSeconds: 172_800 }, cluster: "prod" },
    ],
    ["headroom 4", { command: { name: "headroom", pods: 4 } }],
    ["headroom 0 for 45m", { command: { name: "headroom", pods: 0, forSeconds: 2700 } }],
    ["shift App.Example.com 25%", { command: { name: "shift", domain: "app.example.com", percent: 25 } }],
    ["shift ads 0", { command: { name: "shift", domain: "ads", percent: 0 } }],
    ["shift ads 40 to green", { command: { name: "shift", domain: "ads", percent: 40, target: "green" } }],
    ["shift ads 100% TO blue-eu", { command: { name: "shift", domain: "ads", percent: 100, target: "blue-eu" } }],
    ["pause ads", { command: { name: "pause", domain: "ads" } }],
    ["rollback app.example.com", { command: { name: "rollback", domain: "app.example.com" } }],
  ])("parses %j", (text, value) => {
    expect(parse(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["explode", 'unknown command "explode". Try `/harbormaster help`.'],
    ["drain", "name one node. Usage: `/harbormaster drain <node> [--cluster <name>]`"],
    ["drain a b", "name one node. Usage: `/harbormaster drain <node> [--cluster <name>]`"],
    ["drain Bad_Node", '"Bad_Node" is not a node name. Usage: `/harbormaster drain <node> [--cluster <name>]`'],
    [
      "scale web 3",
      "name the HPA as <namespace>/<name>. Usage: `/harbormaster scale <namespace>/<hpa> <min> [for <duration>] [--cluster <name>]`",
    ],
    [
      "scale a/b 0",
      "give a minimum from 1 to 10000 replicas. Usage: `/harbormaster scale <namespace>/<hpa> <min> [for <duration>] [--cluster <name>]`",
    ],
    [
      "scale a/b 3 for ever",
      '"ever" is not a duration from 1m to 7d, like 30m, 2h or 1h30m. Usage: `/harbormaster scale <namespace>/<hpa> <min> [for <duration>] [--cluster <name>]`',
    ],
    [
      "scale a/b 3 for 30s",
      '"30s" is not a duration from 1m to 7d, like 30m, 2h or 1h30m. Usage: `/harbormaster scale <namespace>/<hpa> <min> [for <duration>] [--cluster <name>]`',
    ],
    [
      "scale a/b 3 for",
      '"" is not a duration from 1m to 7d, like 30m, 2h or 1h30m. Usage: `/harbormaster scale <namespace>/<hpa> <min> [for <duration>] [--cluster <name>]`',
    ],
    [
      "scale a/b 3 until 2h",
      "only `for <duration>` may follow. Usage: `/harbormaster scale <namespace>/<hpa> <min> [for <duration>] [--cluster <name>]`",
    ],
    [
      "scale a/b three",
      "give a minimum from 1 to 10000 replicas. Usage: `/harbormaster scale <namespace>/<hpa> <min> [for <duration>] [--cluster <name>]`",
    ],
    [
      "shift app.example.com 101",
      '"101" is not a percent from 0 to 100. Usage: `/harbormaster shift <domain> <percent> [to <set>]`',
    ],
    [
      "shift app.example.com -5",
      '"-5" is not a percent from 0 to 100. Usage: `/harbormaster shift <domain> <percent> [to <set>]`',
    ],
    [
      "shift app.example.com 12.5%",
      '"12.5%" is not a percent from 0 to 100. Usage: `/harbormaster shift <domain> <percent> [to <set>]`',
    ],
    [
      "shift app.example.com",
      '"" is not a percent from 0 to 100. Usage: `/harbormaster shift <domain> <percent> [to <set>]`',
    ],
    [
      "shift ads 40 toward green",
      "only `to <set>` may follow the percent. Usage: `/harbormaster shift <domain> <percent> [to <set>]`",
    ],
    [
      "shift ads 40 to",
      '"" is not a record set identifier. Usage: `/harbormaster shift <domain> <percent> [to <set>]`',
    ],
    ["shift -bad- 5", "name a domain. Usage: `/harbormaster shift <domain> <percent> [to <set>]`"],
    [
      "headroom lots",
      "give a number of pods from 0 to 1000. Usage: `/harbormaster headroom <pods> [for <duration>] [--cluster <name>]`",
    ],
    [
      "headroom 1001",
      "give a number of pods from 0 to 1000. Usage: `/harbormaster headroom <pods> [for <duration>] [--cluster <name>]`",
    ],
    [
      "headroom 3 for 9d",
      '"9d" is not a duration from 1m to 7d, like 30m, 2h or 1h30m. Usage: `/harbormaster headroom <pods> [for <duration>] [--cluster <name>]`',
    ],
    ["status now", "status takes no arguments. Usage: `/harbormaster status [--cluster <name>]`"],
    ["status on <!here>", '"<!here>" is not a cluster name'],
  ])("rejects %j with a message that says what is wrong", (text, message) => {
    expect(parse(text)).toEqual({ ok: false, message });
  });

  it.each([
    ["status --cluster prod-eu", { command: { name: "status" }, cluster: "prod-eu" }],
    ["status --cluster=prod-eu", { command: { name: "status" }, cluster: "prod-eu" }],
    ["--cluster prod drain n1", { command: { name: "drain", node: "n1" }, cluster: "prod" }],
    ["drain --CLUSTER=prod n1", { command: { name: "drain", node: "n1" }, cluster: "prod" }],
    [
      "scale shop/web 12 --cluster prod for 2h",
      { command: { name: "scale", namespace: "shop", hpa: "web", min: 12, forSeconds: 7200 }, cluster: "prod" },
    ],
    [
      "headroom 3 for 30m --cluster prod",
      { command: { name: "headroom", pods: 3, forSeconds: 1800 }, cluster: "prod" },
    ],
    ["nodes \u2014cluster prod", { command: { name: "nodes" }, cluster: "prod" }],
    ["nodes --cluster prod on prod", { command: { name: "nodes" }, cluster: "prod" }],
    ["nodes --cluster prod --cluster=prod", { command: { name: "nodes" }, cluster: "prod" }],
    ["pause ads --cluster prod", { command: { name: "pause", domain: "ads" }, cluster: "prod" }],
  ])("takes the cluster from --cluster anywhere among the words: %j", (text, value) => {
    expect(parse(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["drain n1 --cluster prod on dev", '"--cluster prod" and "on dev" name different clusters; name one'],
    ["--cluster=a nodes --cluster b", '"--cluster a" and "--cluster b" name different clusters; name one'],
    ["nodes --cluster", "--cluster needs a cluster name"],
    ["nodes --cluster=", "--cluster needs a cluster name"],
    ["nodes --cluster --cluster x", "--cluster needs a cluster name"],
    ["nodes --cluster <!here>", '"<!here>" is not a cluster name'],
    ["nodes --force", 'unknown option "--force"; the only option is --cluster'],
  ])("refuses %j", (text, message) => {
    expect(parse(text)).toEqual({ ok: false, message });
  });

  it("runs every command as one canonical text, naming its cluster however it was typed", () => {
    expect(canonicalText("drain  --cluster=prod n1", "prod")).toBe("drain n1 on prod");
    expect(canonicalText("drain n1 on prod", "prod")).toBe("drain n1 on prod");
    expect(canonicalText("status", "dev")).toBe("status on dev");
    const again = parse(canonicalText("scale --cluster prod shop/web 3", "prod"));
    expect(again).toEqual({
      ok: true,
      value: { command: { name: "scale", namespace: "shop", hpa: "web", min: 3 }, cluster: "prod" },
    });
  });

  it("shows --cluster in the usage and help of every command that addresses a cluster", () => {
    const lines = helpLines("/hm");
    expect(lines).toContain("/hm drain <node> [--cluster <name>]");
    expect(lines).toContain("/hm status [--cluster <name>]");
    expect(lines).toContain("/hm shift <domain> <percent> [to <set>]");
    expect(lines.filter((line) => line.includes("--cluster"))).toHaveLength(7);
  });

  it("bounds durations to a minute up to a week", () => {
    expect(durationSeconds("30s")).toBeUndefined();
    expect(durationSeconds("1m")).toBe(60);
    expect(durationSeconds("7d")).toBe(604_800);
    expect(durationSeconds("8d")).toBeUndefined();
  });

  it("asks confirmation for what takes capacity or moves traffic, and audits every change", () => {
    const of = (text: string) => {
      const parsed = parse(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.value.command;
    };
    expect(needsConfirmation(of("drain n1"))).toBe(true);
    expect(needsConfirmation(of("shift a.example.com 5"))).toBe(true);
    expect(needsConfirmation(of("uncordon n1"))).toBe(false);
    expect(needsConfirmation(of("pause a.example.com"))).toBe(false);
    expect(changes(of("pause a.example.com"))).toBe(true);
    expect(changes(of("nodes"))).toBe(false);
  });
});
