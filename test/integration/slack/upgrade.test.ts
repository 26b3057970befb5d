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
import { createSlackNotifier } from "../../../functions/adapters/slack/queued-notifier.ts";
import { upgradeEventPattern } from "../../../stacks/traffic-patterns.ts";
import { buttonBody, post, sign, slashCommandBody } from "../../helpers/slack-requests.ts";
import { slackRig } from "../../helpers/slack-rig.ts";
import { uniqueName } from "../../helpers/testbed.ts";
import { upgradeSamples } from "../../unit/slack/upgrade-notifications.ts";
import { audits, commandRunner } from "./run-command.ts";

// Slack → Function URL → Slack queue → worker → the Cluster Upgrade event on a real EventBridge bus (moto) →
// the traffic stack's upgrade rule → a queue standing where the traffic function is subscribed.
describe("upgrade commands from Slack, to the upgrade rule's target", () => {
  const sqs = new SQSClient({});
  let rig: Awaited<ReturnType<typeof slackRig>>;
  let run: ReturnType<typeof commandRunner>;
  let upgradeQueue: string;

  /** A bus of the test's own with the deployed upgrade pattern, delivering into a queue the test reads. */
  async function upgradeBus() {
    const events = new EventBridgeClient({});
    const bus = uniqueName("upgrade-bus");
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("upgrade") }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const rule = uniqueName("upgrade");
    const pattern = JSON.stringify(upgradeEventPattern);
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: pattern }));
    await events.send(
      new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "q", Arn: Attributes?.QueueArn ?? "" }] }),
    );
    return { bus, queueUrl: QueueUrl };
  }

  /** Every upgrade event the rule delivered since the last call. */
  async function delivered(): Promise<{ source: string; "detail-type": string; detail: Record<string, unknown> }[]> {
    const out = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: upgradeQueue, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) return out;
      for (const m of Messages) {
        out.push(JSON.parse(m.Body ?? "{}"));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: upgradeQueue, ReceiptHandle: m.ReceiptHandle ?? "" }));
      }
    }
  }

  beforeAll(async () => {
    const { bus, queueUrl } = await upgradeBus();
    upgradeQueue = queueUrl;
    rig = await slackRig({
      env: {
        HARBORMASTER_SLACK_TRAFFIC_BUS: bus,
        HARBORMASTER_SLACK_CHANNEL_INTERVAL_MS: "0",
        // As featureEnvironment writes it: the upgrade moves "ads" from testbed to other.
        HARBORMASTER_SLACK_UPGRADES: JSON.stringify({
          "prod-1-31": { domain: "ads", blue: "testbed", green: "other" },
          "prod-1-32": { domain: "ads", blue: "other", green: "testbed" },
        }),
        HARBORMASTER_SLACK_ACCESS: JSON.stringify([
          { users: ["U0ALICE"], channels: ["C0OPS"], commands: "*", clusters: ["testbed", "other"], domains: ["ads"] },
          // Bob may run upgrades, but only on the testbed cluster: never on an upgrade that reaches `other`.
          { users: ["U0BOB"], channels: "*", commands: ["upgrade"], clusters: ["testbed"] },
          { users: "*", channels: "*", commands: ["status", "nodes"] },
        ]),
      },
    });
    run = commandRunner(rig);
  });

  afterAll(() => rig.close());

  /** Types a command and returns the immediate (ephemeral) answer, without clicking anything. */
  async function typed(text: string, user = "U0ALICE") {
    const response = await post(rig.url, sign(slashCommandBody({ text, user, responseUrl: rig.slack.responseUrl() })));
    return { status: response.status, text: String(response.json?.text ?? response.text) };
  }

  it("starts an upgrade after confirmation: the event arrives with the upgrade, the action and the Slack user", async () => {
    const { confirmed, text } = await run("upgrade start prod-1-31");
    expect(confirmed).toBe(true);
    expect(text).toBe("upgrade start prod-1-31: start sent to upgrade prod-1-31; its thread shows the outcome");
    expect(await delivered()).toEqual([
      expect.objectContaining({
        source: "harbormaster.upgrade",
        "detail-type": "Cluster Upgrade",
        detail: { upgrade: "prod-1-31", action: "start", actor: "slack:U0ALICE", reason: "requested from Slack" },
      }),
    ]);
    expect(audits(rig).at(-1)?.text).toBe(
      "Audit: U0ALICE ran upgrade start prod-1-31: start sent to upgrade prod-1-31; its thread shows the outcome",
    );
  });

  it("confirms promote, resume and rollback; pauses at once; each arrives as its own action", async () => {
    const asked: Record<string, boolean> = {};
    for (const action of ["promote", "pause", "resume", "rollback"]) {
      asked[action] = (await run(`upgrade ${action} prod-1-31`)).confirmed;
    }
    expect(asked).toEqual({ promote: true, pause: false, resume: true, rollback: true });
    const actions = (await delivered()).map((e) => [e.detail.upgrade, e.detail.action]);
    expect(actions.sort()).toEqual([
      ["prod-1-31", "pause"],
      ["prod-1-31", "promote"],
      ["prod-1-31", "resume"],
      ["prod-1-31", "rollback"],
    ]);
  });

  it("asks the status without confirmation and audits nothing, as typed in any case", async () => {
    const before = audits(rig).length;
    const { confirmed, text } = await run("Upgrade STATUS Prod-1-31");
    expect(confirmed).toBe(false);
    expect(text).toBe("upgrade status prod-1-31: status of upgrade prod-1-31 requested; its thread shows it");
    expect((await delivered()).map((e) => e.detail)).toEqual([
      { upgrade: "prod-1-31", action: "status", actor: "slack:U0ALICE", reason: "requested from Slack" },
    ]);
    expect(audits(rig).length).toBe(before);
  });

  it("answers an unknown upgrade with the known ones, and sends nothing", async () => {
    const answer = await typed("upgrade start prod-2-0");
    expect(answer).toEqual({
      status: 200,
      text: 'Rejected: unknown upgrade "prod-2-0": one of prod-1-31, prod-1-32',
    });
    await rig.drainWorker();
    expect(await delivered()).toEqual([]);
  });

  it("refuses a user whose rules miss one of the upgrade's clusters, or the command, and sends nothing", async () => {
    expect(await typed("upgrade start prod-1-31", "U0BOB")).toEqual({
      status: 200,
      text: "Rejected: <@U0BOB> may not run `upgrade start` on upgrade prod-1-31 (ads: testbed → other) from this channel",
    });
    expect((await typed("upgrade status prod-1-31", "U0CAROL")).text).toMatch(/^Rejected: <@U0CAROL> may not run/);
    // The confirm button comes back signed and is authorised again, for whoever clicks it.
    const click = await post(
      rig.url,
      sign(
        buttonBody({
          actionId: "harbormaster_confirm",
          value: JSON.stringify({ text: "upgrade rollback prod-1-31" }),
          user: "U0BOB",
          responseUrl: rig.slack.responseUrl(),
        }),
      ),
    );
    expect(String(click.json?.text)).toMatch(/^Rejected: <@U0BOB> may not run `upgrade rollback`/);
    await rig.drainWorker();
    expect(await delivered()).toEqual([]);
  });

  it("rejects a forged signature with 401, and a request signed twice arriving at once runs once", async () => {
    const body = slashCommandBody({ text: "upgrade pause prod-1-31", responseUrl: rig.slack.responseUrl() });
    const forged = await post(rig.url, sign(body, { secret: "not-the-signing-secret-at-all!!" }));
    expect(forged.status).toBe(401);
    const signed = sign(body);
    const both = await Promise.all([post(rig.url, signed), post(rig.url, signed)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
    await rig.drainWorker();
    expect((await delivered()).map((e) => e.detail.action)).toEqual(["pause"]);
  });

  it("posts an upgrade run as one thread, each step once, however often the engine sends it", async () => {
    const notifier = createSlackNotifier({ ...rig.env });
    if (!notifier) throw new Error("Slack notifier not configured");
    const run = [
      upgradeSamples.upgrade_started,
      upgradeSamples.upgrade_capacity,
      upgradeSamples.upgrade_step,
      upgradeSamples.upgrade_step,
      upgradeSamples.upgrade_completed,
    ];
    const [first, ...rest] = run.map((n) => ({ ...n, cluster: "other" }));
    if (first) await notifier.publish(first);
    // The rest at once, the step twice: a redelivered engine invocation racing the first.
    await Promise.all(rest.map((n) => notifier.publish(n)));
    await rig.drainWorker();
    const parents = rig.slack.messages.filter((m) => !m.threadTs && m.text.startsWith("Upgrade prod-1-31"));
    expect(parents).toHaveLength(1);
    const replies = rig.slack.messages.filter((m) => m.threadTs === parents[0]?.ts).map((m) => m.text);
    expect(replies).toHaveLength(3);
    expect(replies).toContain(
      "upgrade_step for upgrade prod-1-31 (production-blue → production-green): step 2/4 50%, waited 34.2s for capacity, took 41.1s",
    );
  });
});
