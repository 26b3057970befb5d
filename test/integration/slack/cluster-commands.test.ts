import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, sign, slashCommandBody } from "../../helpers/slack-requests.ts";
import { slackRig } from "../../helpers/slack-rig.ts";
import { createNode, endpoints, kube, randomInstanceId } from "../../helpers/testbed.ts";
import { type ClusterRelay, clusterRelay } from "./cluster-relay.ts";
import { audits, commandRunner } from "./run-command.ts";

describe("two clusters: a command without one asks which, and --cluster reaches the named cluster only", () => {
  const { core } = kube();
  let rig: Awaited<ReturnType<typeof slackRig>>;
  let blue: ClusterRelay;
  let green: ClusterRelay;
  let node: string;

  beforeAll(async () => {
    const { apiserverUrl, kubeconfigPath } = endpoints();
    blue = await clusterRelay(apiserverUrl, kubeconfigPath);
    green = await clusterRelay(apiserverUrl, kubeconfigPath);
    rig = await slackRig({
      env: {
        HARBORMASTER_SLACK_CLUSTERS: JSON.stringify({
          blue: { kubeconfig: blue.kubeconfigPath, channels: ["C0OPS"] },
          green: { kubeconfig: green.kubeconfigPath },
        }),
        HARBORMASTER_SLACK_ACCESS: JSON.stringify([{ users: ["U0ALICE"], channels: "*", commands: "*" }]),
      },
    });
    node = (await createNode(core, { instanceId: randomInstanceId() })).metadata?.name ?? "";
  });

  afterAll(async () => {
    await rig.close();
    await Promise.all([blue.close(), green.close()]);
    await core.deleteNode({ name: node }).catch(() => {});
  });

  const run = (text: string, channel = "C0OPS") => commandRunner(rig)(text, { channel });

  async function queuedCommands() {
    const { Messages = [] } = await rig.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: rig.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    return Messages.map((m) => JSON.parse(m.Body ?? "{}")).filter((job) => job.kind === "command");
  }

  it("asks which cluster, ephemerally in the acknowledgement, when the channel has none and both could be meant", async () => {
    const typed = await post(
      rig.url,
      sign(slashCommandBody({ text: `cordon ${node}`, channel: "C0RANDOM", responseUrl: rig.slack.responseUrl() })),
    );
    expect(typed.status).toBe(200);
    expect(typed.json?.response_type).toBe("ephemeral");
    expect(typed.json?.text).toBe(`Which cluster? cordon ${node} could run on blue, green. Add --cluster <name>.`);
    const blocks = JSON.stringify(typed.json?.blocks);
    expect(blocks).toContain(`/harbormaster cordon ${node} --cluster blue`);
    expect(blocks).toContain(`/harbormaster cordon ${node} --cluster green`);
    expect(await queuedCommands()).toEqual([]);
    expect((await core.readNode({ name: node })).spec?.unschedulable).toBeFalsy();
  });

  it("runs --cluster green on green, not on the channel's blue, and the answer and audit name green", async () => {
    blue.reset();
    green.reset();
    const { confirmed, text } = await run(`cordon --cluster green ${node}`);
    expect(confirmed).toBe(true);
    expect(text).toBe(`cordon ${node} on green: ${node} cordoned`);
    expect(audits(rig).at(-1)?.text).toBe(`Audit: U0ALICE ran cordon ${node} on green: ${node} cordoned`);
    expect(JSON.stringify(audits(rig).at(-1)?.blocks)).toContain("on *green*");
    expect(green.bytesIn()).toBeGreaterThan(0);
    expect(blue.bytesIn()).toBe(0);
    expect((await core.readNode({ name: node })).spec?.unschedulable).toBe(true);
  });

  it("runs --cluster=blue on blue only, from a channel of no cluster", async () => {
    blue.reset();
    green.reset();
    const { text } = await run(`uncordon ${node} --cluster=blue`, "C0RANDOM");
    expect(text).toBe(`uncordon ${node} on blue: ${node} uncordoned`);
    expect(blue.bytesIn()).toBeGreaterThan(0);
    expect(green.bytesIn()).toBe(0);
  });

  it("names the cluster in a status answer, and the channel's cluster is used when none is named", async () => {
    blue.reset();
    green.reset();
    const { text } = await run("status");
    expect(text).toMatch(/^status on blue: \d+ nodes: /);
    expect(green.bytesIn()).toBe(0);
  });

  it("refuses --cluster and on that disagree, and an unknown cluster, before anything is queued", async () => {
    const conflict = await post(
      rig.url,
      sign(slashCommandBody({ text: "nodes --cluster green on blue", responseUrl: rig.slack.responseUrl() })),
    );
    expect(conflict.json?.text).toBe('Rejected: "--cluster green" and "on blue" name different clusters; name one');
    const unknown = await post(
      rig.url,
      sign(slashCommandBody({ text: "nodes --cluster purple", responseUrl: rig.slack.responseUrl() })),
    );
    expect(unknown.json?.text).toBe('Rejected: unknown cluster "purple": one of blue, green');
    expect(await queuedCommands()).toEqual([]);
  });
});
