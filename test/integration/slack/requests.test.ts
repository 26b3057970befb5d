import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxBodyBytes } from "../../../functions/core/slack/intake.ts";
import { buttonBody, post, sign, slashCommandBody } from "../../helpers/slack-requests.ts";
import { slackRig } from "../../helpers/slack-rig.ts";

describe("slash command requests, signed by the test and sent over HTTP to the Function URL", () => {
  let rig: Awaited<ReturnType<typeof slackRig>>;

  beforeAll(async () => {
    rig = await slackRig();
  });
  afterAll(() => rig.close());

  const command = (text: string, fields: { user?: string; channel?: string; command?: string } = {}) =>
    slashCommandBody({ text, responseUrl: rig.slack.responseUrl(), ...fields });

  async function queuedJobs() {
    const { Messages = [] } = await rig.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: rig.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    return Messages.map((m) => JSON.parse(m.Body ?? "{}"));
  }

  it("acknowledges a valid command with an ephemeral working… and queues the work", async () => {
    const reply = await post(rig.url, sign(command("status")));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ response_type: "ephemeral" });
    expect(String(reply.json?.text)).toContain("Working…");
    expect(await queuedJobs()).toContainEqual(
      expect.objectContaining({ kind: "command", text: "status on testbed", user: "U0ALICE", channel: "C0OPS" }),
    );
  });

  it("rejects a forged signature", async () => {
    const forged = sign(command("drain node-a"), { secret: "not-the-signing-secret-at-all" });
    const reply = await post(rig.url, forged);
    expect(reply.status).toBe(401);
    expect(reply.text).toBe("rejected: signature does not match");
  });

  it("rejects a body changed after signing", async () => {
    const signed = sign(command("status"));
    const reply = await post(rig.url, { ...signed, body: signed.body.replace("status", "nodes") });
    expect(reply.status).toBe(401);
    expect(reply.text).toBe("rejected: signature does not match");
  });

  it("rejects a stale timestamp, even correctly signed", async () => {
    const stale = sign(command("status"), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const reply = await post(rig.url, stale);
    expect(reply.status).toBe(401);
    expect(reply.text).toBe("rejected: timestamp outside the 5-minute window");
  });

  it("rejects a replay of a request it has already accepted", async () => {
    const signed = sign(command("nodes"));
    expect((await post(rig.url, signed)).status).toBe(200);
    const replay = await post(rig.url, signed);
    expect(replay.status).toBe(401);
    expect(replay.text).toBe("rejected: replayed request");
  });

  it("rejects an unknown subcommand with a clear ephemeral message", async () => {
    const reply = await post(rig.url, sign(command("explode everything")));
    expect(reply.status).toBe(200);
    expect(reply.json?.response_type).toBe("ephemeral");
    expect(reply.json?.text).toBe('Rejected: unknown command "explode". Try `/harbormaster help`.');
  });

  it("rejects a slash command other than the configured one", async () => {
    const reply = await post(rig.url, sign(command("status", { command: "/other" })));
    expect(reply.json?.text).toBe("Rejected: unknown command /other; this app answers /harbormaster");
  });

  it("rejects a user the allow-list does not cover", async () => {
    const reply = await post(rig.url, sign(command("drain node-a", { user: "U0MALLORY" })));
    expect(reply.json?.text).toBe("Rejected: <@U0MALLORY> may not run `drain` on testbed from this channel");
  });

  it("rejects an allowed user in a channel the allow-list does not cover", async () => {
    const reply = await post(rig.url, sign(command("drain node-a on testbed", { channel: "C0RANDOM" })));
    expect(reply.json?.text).toBe("Rejected: <@U0ALICE> may not run `drain` on testbed from this channel");
  });

  it("rejects a cluster the user may not touch, and a cluster that does not exist", async () => {
    const other = await post(rig.url, sign(command("cordon node-a on other")));
    expect(other.json?.text).toBe("Rejected: <@U0ALICE> may not run `cordon` on other from this channel");
    const missing = await post(rig.url, sign(command("cordon node-a on nowhere")));
    expect(missing.json?.text).toBe('Rejected: unknown cluster "nowhere": one of testbed, other');
  });

  it("asks for confirmation before a destructive command, and queues nothing yet", async () => {
    await queuedJobs(); // whatever earlier tests left is visible again at once (visibility 0)
    const reply = await post(rig.url, sign(command("drain ip-10-0-0-1.ec2.internal")));
    const blocks = reply.json?.blocks as {
      type: string;
      elements?: { action_id: string; value?: string; confirm?: unknown }[];
    }[];
    const button = blocks.find((b) => b.type === "actions")?.elements?.[0];
    expect(button?.action_id).toBe("harbormaster_confirm");
    expect(JSON.parse(button?.value ?? "{}")).toEqual({ text: "drain ip-10-0-0-1.ec2.internal on testbed" });
    expect(button?.confirm).toBeDefined();
    const jobs = await queuedJobs();
    expect(jobs.filter((j) => String(j.text).startsWith("drain"))).toEqual([]);
  });

  it("authorises a confirmation again for whoever clicks it", async () => {
    const value = JSON.stringify({ text: "drain ip-10-0-0-1.ec2.internal on testbed" });
    const mallory = buttonBody({
      actionId: "harbormaster_confirm",
      value,
      user: "U0MALLORY",
      responseUrl: rig.slack.responseUrl(),
    });
    const refused = await post(rig.url, sign(mallory));
    expect(refused.json?.text).toBe("Rejected: <@U0MALLORY> may not run `drain` on testbed from this channel");
    const alice = buttonBody({ actionId: "harbormaster_confirm", value, responseUrl: rig.slack.responseUrl() });
    const accepted = await post(rig.url, sign(alice));
    expect(String(accepted.json?.text)).toContain("Working…");
    expect(await queuedJobs()).toContainEqual(
      expect.objectContaining({
        kind: "command",
        text: "drain ip-10-0-0-1.ec2.internal on testbed",
        cluster: "testbed",
      }),
    );
  });

  it("answers help at once, without queueing", async () => {
    const reply = await post(rig.url, sign(command("help", { user: "U0NOBODY", channel: "C0ELSEWHERE" })));
    expect(String(reply.json?.text)).toContain("/harbormaster drain <node> [--cluster <name>]");
  });

  it("refuses anything but POST, and a body that is not Slack's", async () => {
    const get = await fetch(rig.url);
    expect(get.status).toBe(405);
    const junk = await post(rig.url, sign("hello=world"));
    expect(junk.status).toBe(400);
    expect(junk.text).toBe("rejected: not a slash command request");
  });

  // Slack ignores form fields it does not know of; a padding field makes a body of exactly `bytes`.
  const padded = (body: string, bytes: number) => `${body}&pad=${"x".repeat(bytes - body.length - 5)}`;

  it(`accepts a signed body of ${maxBodyBytes - 1} bytes`, async () => {
    const body = padded(command("status"), maxBodyBytes - 1);
    expect(Buffer.byteLength(body)).toBe(maxBodyBytes - 1);
    const reply = await post(rig.url, sign(body));
    expect(reply.status).toBe(200);
    expect(String(reply.json?.text)).toContain("Working…");
  });

  it(`refuses a body of ${maxBodyBytes + 1} bytes with 413, before checking its signature, and queues nothing`, async () => {
    const body = padded(command("status", { user: "U0BIG" }), maxBodyBytes + 1);
    const signed = await post(rig.url, sign(body));
    // Signed with the wrong secret, it is still refused for its size: the HMAC was never computed.
    const forged = await post(rig.url, sign(body, { secret: "not-the-signing-secret-at-all" }));
    expect([signed.status, forged.status]).toEqual([413, 413]);
    expect(signed.text).toBe(`rejected: the body is over ${maxBodyBytes} bytes`);
    expect((await queuedJobs()).filter((job) => job.user === "U0BIG")).toEqual([]);
  });
});
