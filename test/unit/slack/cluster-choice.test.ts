import { describe, expect, it } from "vitest";
import { accessRulesSchema } from "../../../functions/core/slack/access.ts";
import { type ChoiceRequest, chooseCluster } from "../../../functions/core/slack/cluster-choice.ts";
import type { Command } from "../../../functions/core/slack/commands.ts";

const access = accessRulesSchema.parse([
  { users: ["U1"], channels: "*", commands: "*", clusters: ["blue"] },
  { users: "*", channels: "*", commands: ["status", "nodes"] },
]);
const context = {
  directory: { names: ["blue", "green", "staging"], channelDefaults: { C0BLUE: "blue" } },
  access,
  slashCommand: "/hm",
};
const status: Command = { name: "status" };
const drain: Command = { name: "drain", node: "n1" };
const choose = (request: Partial<ChoiceRequest>) =>
  chooseCluster(context, { user: "U1", channel: "C0ELSE", text: "status", command: status, ...request });

describe("choosing the cluster a command addresses", () => {
  it("takes the cluster named, over the channel's", () => {
    expect(choose({ named: "green", channel: "C0BLUE" })).toEqual({ ok: true, name: "green" });
  });

  it("takes the channel's cluster when none is named", () => {
    expect(choose({ channel: "C0BLUE" })).toEqual({ ok: true, name: "blue" });
  });

  it("refuses an unknown cluster, listing the known ones", () => {
    const choice = choose({ named: "purple" });
    expect(choice.ok).toBe(false);
    if (!choice.ok) expect(choice.reply.text).toBe('Rejected: unknown cluster "purple": one of blue, green, staging');
  });

  it("asks which cluster when several could be meant, listing them with the command to type", () => {
    const choice = choose({ text: "  status " });
    expect(choice.ok).toBe(false);
    if (choice.ok) return;
    expect(choice.reply.response_type).toBe("ephemeral");
    expect(choice.reply.text).toBe("Which cluster? status could run on blue, green, staging. Add --cluster <name>.");
    const blocks = JSON.stringify(choice.reply.blocks);
    for (const name of ["blue", "green", "staging"]) expect(blocks).toContain(`/hm status --cluster ${name}`);
  });

  it("goes to the only cluster the user may run the command on, rather than asking", () => {
    expect(choose({ command: drain, text: "drain n1" })).toEqual({ ok: true, name: "blue" });
  });

  it("refuses when the user may run the command on no cluster from this channel", () => {
    const choice = choose({ user: "U9", command: drain, text: "drain n1" });
    expect(choice.ok).toBe(false);
    if (!choice.ok)
      expect(choice.reply.text).toBe("Rejected: <@U9> may not run `drain` on any cluster from this channel");
  });

  it("goes to the only configured cluster without asking, so the allow-list's refusal names it", () => {
    const single = { ...context, directory: { names: ["blue"], channelDefaults: {} } };
    expect(chooseCluster(single, { user: "U9", channel: "C0ELSE", text: "drain n1", command: drain })).toEqual({
      ok: true,
      name: "blue",
    });
  });

  it("never asks for a domain command: it acts on the domain's records", () => {
    const pause: Command = { name: "pause", domain: "ads" };
    expect(choose({ command: pause, text: "pause ads" })).toEqual({ ok: true, name: "" });
  });
});
