import * as z from "../zod.ts";
import { launchLifecycle, lifecycleMessage, terminateLifecycle } from "./asg-lifecycle.ts";
import { instanceStateChange } from "./instance-state-change.ts";
import { IgnoredKind } from "./kinds.ts";
import type { ParsedBody } from "./message.ts";
import type { EventParser } from "./parser.ts";
import { rebalanceRecommendation } from "./rebalance-recommendation.ts";
import { scheduledChange } from "./scheduled-change.ts";
import { envelope, isoTime, lifecycleFields } from "./schema.ts";
import { unwrapSns } from "./sns-envelope.ts";
import { spotInterruption } from "./spot-interruption.ts";

const parsers: readonly EventParser[] = [
  spotInterruption,
  rebalanceRecommendation,
  instanceStateChange,
  terminateLifecycle,
  launchLifecycle,
  scheduledChange,
];
const byKey = new Map(parsers.map((p) => [`${p.source}|${p.detailType}`, p]));

const directNotification = z.extend(lifecycleFields, {
  RequestId: z.string().check(z.minLength(1)),
  Time: isoTime,
  AccountId: z.optional(z.string()),
});

/** Parses one SQS message body. Never throws: a body is actionable, ignored, or malformed (with the reason). */
export function parseBody(body: string): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { outcome: "malformed", error: "body is not JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { outcome: "malformed", error: "body is not a JSON object" };
  }
  try {
    return parseObject(json as Record<string, unknown>);
  } catch (error) {
    if (error instanceof z.ZodError) return { outcome: "malformed", error: z.prettifyError(error) };
    throw error;
  }
}

// Without raw delivery, SNS wraps each kind in its envelope: the event inside is read as if it came alone.
function parseObject(json: Record<string, unknown>): ParsedBody {
  const sns = unwrapSns(json);
  if (sns.outcome === "malformed") return { outcome: "malformed", error: sns.error };
  if (sns.outcome === "confirmation") return ignored(IgnoredKind.NoOp, sns.reason);
  return parseEvent(sns.outcome === "message" ? sns.message : json);
}

function parseEvent(json: Record<string, unknown>): ParsedBody {
  if ("detail-type" in json || "source" in json) {
    const event = envelope.parse(json);
    const parser = byKey.get(`${event.source}|${event["detail-type"]}`);
    if (!parser) return ignored(IgnoredKind.NoOp, `no handler for ${event.source} "${event["detail-type"]}"`);
    const messages = parser.parse(event);
    if (messages.length === 0) return ignored(IgnoredKind.NoOp, `${event["detail-type"]} needs no action`);
    return { outcome: "actionable", messages };
  }
  if (json.Event === "autoscaling:TEST_NOTIFICATION") {
    return ignored(IgnoredKind.TestNotification, "ASG test notification");
  }
  if ("LifecycleTransition" in json) {
    const n = directNotification.parse(json);
    const base = { eventId: n.RequestId, eventTime: n.Time, account: n.AccountId };
    return { outcome: "actionable", messages: [lifecycleMessage(n, base)] };
  }
  // An ASG notification configuration (launch, terminate, their errors) shares a topic with the hooks. It
  // reports an activity that has already happened; only a lifecycle action can hold an instance back.
  if (typeof json.Event === "string" && json.Event.startsWith("autoscaling:")) {
    return ignored(IgnoredKind.NoOp, `ASG notification ${json.Event} reports an activity, not a lifecycle action`);
  }
  // Nothing that is routed to this queue has another shape: deleting it quietly would hide a wiring mistake
  // (as SNS envelopes once were), so it goes to the dead-letter queue with this reason.
  return {
    outcome: "malformed",
    error: "not an EventBridge event, an SNS notification or an ASG lifecycle notification",
  };
}

function ignored(kind: IgnoredKind, reason: string): ParsedBody {
  return { outcome: "ignored", kind, reason };
}
