import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordonedByAnnotation } from "../../../functions/adapters/slack/kubernetes-commands.ts";
import { trafficEventPatterns } from "../../../stacks/traffic-patterns.ts";
import { podsOnNode, runningPods, workload } from "../../helpers/interruptions.ts";
import { buttonBody, post, sign } from "../../helpers/slack-requests.ts";
import { slackRig } from "../../helpers/slack-rig.ts";
import { createNamespace, createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";
import { commandRunner } from "./run-command.ts";

describe("each command end to end: Slack → Function URL → queue → worker → cluster → response_url and audit", () => {
  const { core } = kube();
  let rig: Awaited<ReturnType<typeof slackRig>>;
  let namespace: string;
  const pool = { "harbormaster.test/pool": uniqueName("slack") };
  const nodes: string[] = [];
  const sqs = new SQSClient({});
  let bus: string;
  let controlQueue: string;

  /** A bus with the traffic stack's control rule, delivering into a queue the test reads. */
  async function controlEvents() {
    const events = new EventBridgeClient({});
    const name = uniqueName("traffic-bus");
    await events.send(new CreateEventBusCommand({ Name: name }));
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("control") }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const rule = uniqueName("control");
    const pattern = trafficEventPatterns([]).control;
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: name, EventPattern: JSON.stringify(pattern) }));
    await events.send(
      new PutTargetsCommand({
        Rule: rule,
        EventBusName: name,
        Targets: [{ Id: "q", Arn: Attributes?.QueueArn ?? "" }],
      }),
    );
    return { bus: name, controlQueue: QueueUrl };
  }

  beforeAll(async () => {
    ({ bus, controlQueue } = await controlEvents());
    rig = await slackRig({ env: { HARBORMASTER_SLACK_TRAFFIC_BUS: bus } });
    namespace = await createNamespace(core, "slack");
    for (let i = 0; i < 3; i++) {
      const node = await createNode(core, { instanceId: randomInstanceId(), labels: pool });
      nodes.push(node.metadata?.name ?? "");
    }
    await workload(namespace, "web", 2, pool);
  });

  afterAll(async () => {
    await rig.close();
    await core.deleteNamespace({ name: namespace });
    for (const name of nodes) await core.deleteNode({ name }).catch(() => {});
  });

  /** Types the command in Slack; clicks Run on the confirm prompt when one comes; runs the worker. */
  const run: ReturnType<typeof commandRunner> = (text, who) => commandRunner(rig)(text, who);

  const audits = () => rig.slack.inChannel("C0OPS").filter((m) => m.text.startsWith("Audit:"));

  it("status answers the requester only, and audits nothing", async () => {
    const before = audits().length;
    const { confirmed, answer } = await run("status");
    expect(confirmed).toBe(false);
    expect(answer).toMatchObject({ response_type: "ephemeral", replace_original: true });
    expect(String(answer.text)).toMatch(
      /^status on testbed: \d+ nodes: \d+ ready, \d+ cordoned, \d+ interrupted · \d+ pending pods$/,
    );
    expect(audits()).toHaveLength(before);
  });

  it("nodes lists the cluster's nodes", async () => {
    const { answer } = await run("nodes");
    const text = JSON.stringify(answer.blocks);
    for (const name of nodes) expect(text).toContain(name);
  });

  it("cordon asks for confirmation, then cordons the node and posts an audit message", async () => {
    const node = nodes[0] ?? "";
    const { confirmed, answer } = await run(`cordon ${node}`);
    expect(confirmed).toBe(true);
    expect(answer.text).toBe(`cordon ${node} on testbed: ${node} cordoned`);
    const read = await core.readNode({ name: node });
    expect(read.spec?.unschedulable).toBe(true);
    expect(read.metadata?.annotations?.[cordonedByAnnotation]).toBe("slack:U0ALICE");
    expect(audits().at(-1)?.text).toBe(`Audit: U0ALICE ran cordon ${node} on testbed: ${node} cordoned`);
  });

  it("uncordon runs without confirmation and makes the node schedulable again", async () => {
    const node = nodes[0] ?? "";
    const { confirmed, answer } = await run(`uncordon ${node}`);
    expect(confirmed).toBe(false);
    expect(answer.text).toBe(`uncordon ${node} on testbed: ${node} uncordoned`);
    const read = await core.readNode({ name: node });
    expect(read.spec?.unschedulable).toBeFalsy();
    expect(read.metadata?.annotations?.[cordonedByAnnotation]).toBeUndefined();
    expect(audits().at(-1)?.text).toContain(`ran uncordon ${node} on testbed`);
  });

  it("drain cordons the node and evicts its pods through the interruption feature's drain", async () => {
    const [pod] = (await podsOnNode(nodes[1] ?? "")).filter((p) => p.metadata?.namespace === namespace);
    const node = pod?.spec?.nodeName ?? "";
    expect(node).not.toBe("");
    const { answer } = await run(`drain ${node}`);
    expect(answer.text).toBe(`drain ${node} on testbed: ${node} drained: 1 pods evicted`);
    expect((await core.readNode({ name: node })).spec?.unschedulable).toBe(true);
    const left = (await podsOnNode(node)).filter(
      (p) => p.metadata?.namespace === namespace && !p.metadata.deletionTimestamp,
    );
    expect(left).toEqual([]);
    await runningPods(namespace, "web", 2, core);
    expect(audits().at(-1)?.text).toContain(`ran drain ${node} on testbed: ${node} drained`);
  });

  it("a command on a node that does not exist fails with a clear answer, and the attempt is audited", async () => {
    const { answer } = await run("drain no-such-node");
    expect(answer.text).toBe("drain no-such-node on testbed failed: no node named no-such-node");
    expect(audits().at(-1)?.text).toBe(
      "Audit: U0ALICE ran drain no-such-node on testbed: failed: no node named no-such-node",
    );
  });

  it("Cancel on a confirm prompt runs nothing", async () => {
    const before = audits().length;
    const responseUrl = rig.slack.responseUrl();
    await post(rig.url, sign(buttonBody({ actionId: "harbormaster_cancel", value: "cancel", responseUrl })));
    await rig.drainWorker();
    const answer = rig.slack.responses.find((r) => r.path === new URL(responseUrl).pathname);
    expect(answer?.body).toMatchObject({ text: "Cancelled by <@U0ALICE>.", replace_original: true });
    expect(audits()).toHaveLength(before);
  });

  it.each([
    ["scale web/api 10 for 2h", "pre-scaling"],
    ["headroom 3", "pre-scaling"],
  ])("%s answers that its feature is not deployed for the cluster", async (text, feature) => {
    const { answer } = await run(text);
    expect(String(answer.text)).toContain(`${feature} is not deployed for cluster testbed`);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ["pause app.example.com", "pause", {}],
    ["resume app.example.com", "resume", {}],
    ["rollback app.example.com", "abort", {}],
    ["shift app.example.com 40 to green", "shift", { percent: 40, target: "green" }],
  ])("%s reaches the traffic feature as its control event", async (text, action, extra) => {
    const { answer } = await run(text);
    const what = action === "shift" ? "shift to 40% for green" : action;
    expect(answer.text).toBe(`${text}: ${what} sent to the rollout of app.example.com; its thread shows the outcome`);
    const detail = await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: controlQueue, WaitTimeSeconds: 1 }),
      );
      const [message] = Messages;
      if (!message) throw new Error("no control event yet");
      await sqs.send(new DeleteMessageCommand({ QueueUrl: controlQueue, ReceiptHandle: message.ReceiptHandle }));
      return JSON.parse(message.Body ?? "{}").detail;
    });
    expect(detail).toEqual({
      domain: "app.example.com",
      action,
      ...extra,
      actor: "slack:U0ALICE",
      reason: "requested from Slack",
    });
  });
});
