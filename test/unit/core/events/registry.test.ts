import { describe, expect, it } from "vitest";
import { parseBody } from "../../../../functions/core/events/registry.ts";
import { type AwsEventFixture, awsEvent, snsEnvelope } from "../../../fixtures/aws-events.ts";

const body = (name: AwsEventFixture, patch: (e: Record<string, unknown>) => void = () => {}) => {
  const event = awsEvent(name);
  patch(event);
  return JSON.stringify(event);
};

function actionable(text: string) {
  const parsed = parseBody(text);
  if (parsed.outcome !== "actionable") throw new Error(`expected actionable, got ${JSON.stringify(parsed)}`);
  return parsed.messages;
}

describe("parseBody", () => {
  it.each([
    ["spot-interruption", "spot_interrupted", "i-0b662ef9931388ba0"],
    ["rebalance-recommendation", "rebalance_recommendation", "i-0b662ef9931388ba0"],
    ["state-change-shutting-down", "instance_stopping", "i-0b662ef9931388ba0"],
    ["asg-lifecycle-terminate", "terminate_lifecycle", "i-0b662ef9931388ba0"],
    ["asg-lifecycle-launch", "launch_lifecycle", "i-0c662ef9931388ba1"],
    ["health-scheduled-change", "scheduled_change", "i-0b662ef9931388ba0"],
    ["asg-direct-to-sqs-terminate", "terminate_lifecycle", "i-0b662ef9931388ba0"],
  ] as const)("normalises %s into one %s message for %s", (fixture, kind, instanceId) => {
    const messages = actionable(body(fixture));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind, instanceId });
    expect(messages[0]?.eventTime).toBeInstanceOf(Date);
  });

  it("keeps the event time and id for correlation", () => {
    const [spot] = actionable(body("spot-interruption"));
    expect(spot?.eventId).toBe("1e5527d7-bb36-4607-3370-4164db56a40e");
    expect(spot?.eventTime.toISOString()).toBe("2025-03-01T12:00:00.000Z");
  });

  it("reads the lifecycle action of a direct ASG notification", () => {
    const [message] = actionable(body("asg-direct-to-sqs-terminate"));
    expect(message?.eventId).toBe("f6c642e2-21ec-4bcb-a28e-892808bfa29e");
    expect(message?.lifecycle).toEqual({
      groupName: "my-asg",
      hookName: "drain-hook",
      token: "0befcbdb-6ecd-498a-9ff7-ae9b54447cd6",
      transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      origin: "AutoScalingGroup",
      destination: "EC2",
    });
  });

  it("keeps Destination WarmPool so the action table can treat it apart", () => {
    const text = body("asg-lifecycle-terminate", (e) => {
      (e.detail as Record<string, unknown>).Destination = "WarmPool";
    });
    expect(actionable(text)[0]?.lifecycle?.destination).toBe("WarmPool");
  });

  it("parses the RFC 1123 start time of an AWS Health event", () => {
    const [message] = actionable(body("health-scheduled-change"));
    expect(message?.startTime?.toISOString()).toBe("2025-03-15T15:00:00.000Z");
  });

  it("makes one message per instance a Health event affects", () => {
    const text = body("health-scheduled-change", (e) => {
      const detail = e.detail as { affectedEntities: { entityValue: string }[] };
      detail.affectedEntities.push({ entityValue: "i-0123456789abcdef0" }, { entityValue: "vol-123" });
    });
    expect(actionable(text).map((m) => m.instanceId)).toEqual(["i-0b662ef9931388ba0", "i-0123456789abcdef0"]);
  });

  it("ignores the ASG test notification", () => {
    expect(parseBody(body("asg-direct-to-sqs-test-notification"))).toMatchObject({
      outcome: "ignored",
      kind: "test_notification",
    });
  });

  // Every body filed as a no-op is counted and deleted, so each must really need nothing from us.
  it.each([
    // ASG checks that it can reach the target when a hook is created.
    ["the ASG test notification", body("asg-direct-to-sqs-test-notification"), "test_notification", "test"],
    // Sent after the instance has gone (or failed to start): no lifecycle action holds it back.
    [
      "an ASG notification configuration's event",
      body("asg-direct-to-sqs-test-notification", (e) => (e.Event = "autoscaling:EC2_INSTANCE_TERMINATE")),
      "no_op",
      "autoscaling:EC2_INSTANCE_TERMINATE reports an activity",
    ],
    // The rules route only our kinds; anything else on the bus is nobody's interruption.
    [
      "an event of a kind no parser handles",
      JSON.stringify({ ...awsEvent("spot-interruption"), "detail-type": "EC2 AMI State" }),
      "no_op",
      'no handler for aws.ec2 "EC2 AMI State"',
    ],
    // pending and running: nothing is going away.
    [
      "a state change to pending",
      body("state-change-shutting-down", (e) => ((e.detail as { state: string }).state = "pending")),
      "no_op",
      "needs no action",
    ],
    // Issues and account notifications do not take instances away.
    [
      "a Health issue that is not a scheduled change",
      body("health-scheduled-change", (e) => {
        (e.detail as { eventTypeCategory: string }).eventTypeCategory = "issue";
      }),
      "no_op",
      "needs no action",
    ],
    [
      "a Health scheduled change of another service",
      body("health-scheduled-change", (e) => {
        (e.detail as { service: string }).service = "RDS";
      }),
      "no_op",
      "needs no action",
    ],
    // A volume's or a host's maintenance names no instance to drain.
    [
      "a Health scheduled change that names no instance",
      body("health-scheduled-change", (e) => {
        (e.detail as { affectedEntities: object[] }).affectedEntities = [{ entityValue: "vol-0123456789abcdef0" }];
        e.resources = ["vol-0123456789abcdef0"];
      }),
      "no_op",
      "needs no action",
    ],
    // SNS sends it once per subscription; it carries no event.
    [
      "an SNS subscription confirmation",
      JSON.stringify(snsEnvelope("You have chosen to subscribe to the topic", "SubscriptionConfirmation")),
      "no_op",
      "SubscriptionConfirmation",
    ],
  ])("files %s as a no-op, with its reason", (_, text, kind, reason) => {
    const parsed = parseBody(text);
    expect(parsed).toMatchObject({ outcome: "ignored", kind });
    expect(parsed.outcome === "ignored" && parsed.reason).toContain(reason);
  });

  describe("SNS envelopes (delivery without raw message delivery)", () => {
    it.each([
      ["an ASG lifecycle notification", "asg-direct-to-sqs-terminate", "terminate_lifecycle"],
      ["an EventBridge spot warning", "spot-interruption", "spot_interrupted"],
      ["an EventBridge lifecycle event", "asg-lifecycle-terminate", "terminate_lifecycle"],
    ] as const)("reads %s inside an envelope as if it came alone", (_, fixture, kind) => {
      const alone = actionable(body(fixture));
      const wrapped = actionable(JSON.stringify(snsEnvelope(body(fixture))));
      expect(wrapped).toEqual(alone);
      expect(wrapped[0]?.kind).toBe(kind);
    });

    it("ignores the test notification inside an envelope", () => {
      const text = JSON.stringify(snsEnvelope(body("asg-direct-to-sqs-test-notification")));
      expect(parseBody(text)).toMatchObject({ outcome: "ignored", kind: "test_notification" });
    });

    it.each([
      ["a Message that is not JSON", JSON.stringify(snsEnvelope("{not json")), "is not JSON"],
      ["a Message that is a JSON string", JSON.stringify(snsEnvelope('"hello"')), "not a JSON object"],
      ["no Message at all", JSON.stringify({ ...snsEnvelope(""), Message: undefined }), "has no Message"],
      ["an unknown Type", JSON.stringify(snsEnvelope("{}", "Surprise")), 'unknown Type "Surprise"'],
      [
        "a malformed event inside",
        JSON.stringify(snsEnvelope(body("spot-interruption", (e) => (e.detail = {})))),
        "instance-id",
      ],
    ])("sends an envelope with %s to the dead-letter queue, saying why", (_, text, says) => {
      const parsed = parseBody(text);
      expect(parsed.outcome).toBe("malformed");
      expect(parsed.outcome === "malformed" && parsed.error).toContain(says);
    });
  });

  it.each([
    ["text that is not JSON", "{not json", "not JSON"],
    ["a JSON array", "[]", "not a JSON object"],
    ["a spot warning without an instance id", body("spot-interruption", (e) => (e.detail = {})), "instance-id"],
    [
      "a bad instance id",
      body("spot-interruption", (e) => (e.detail = { "instance-id": "node-1", "instance-action": "terminate" })),
      "EC2 instance id",
    ],
    ["an unparseable time", body("spot-interruption", (e) => (e.time = "yyyy-mm-ddThh:mm:ssZ")), "time"],
    [
      "a Health event with a bad start time",
      body("health-scheduled-change", (e) => {
        (e.detail as { startTime: string }).startTime = "soon";
      }),
      "unparseable time",
    ],
    [
      "a JSON object of no shape that is routed here",
      JSON.stringify({ hello: "world" }),
      "not an EventBridge event, an SNS notification or an ASG lifecycle notification",
    ],
    [
      "a lifecycle action without a token",
      body("asg-direct-to-sqs-terminate", (e) => delete e.LifecycleActionToken),
      "LifecycleActionToken",
    ],
  ])("reports %s as malformed, saying what is wrong", (_, text, says) => {
    const parsed = parseBody(text);
    expect(parsed.outcome).toBe("malformed");
    expect(parsed.outcome === "malformed" && parsed.error).toContain(says);
  });
});
