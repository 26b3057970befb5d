import { describe, expect, it } from "vitest";
import { parseBody } from "../../../../functions/core/events/registry.ts";
import { type AwsEventFixture, awsEvent } from "../../../fixtures/aws-events.ts";

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

  it.each([
    ["an unknown detail-type", JSON.stringify({ ...awsEvent("spot-interruption"), "detail-type": "EC2 AMI State" })],
    [
      "a pending state change",
      body("state-change-shutting-down", (e) => ((e.detail as { state: string }).state = "pending")),
    ],
    [
      "a Health issue that is not a scheduled change",
      body("health-scheduled-change", (e) => {
        (e.detail as { eventTypeCategory: string }).eventTypeCategory = "issue";
      }),
    ],
    ["a JSON object of another shape", JSON.stringify({ hello: "world" })],
  ])("treats %s as a no-op", (_, text) => {
    expect(parseBody(text)).toMatchObject({ outcome: "ignored", kind: "no_op" });
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
