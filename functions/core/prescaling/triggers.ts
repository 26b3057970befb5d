import * as z from "../zod.ts";
import { commandMessageSchema, type ScalingCommand } from "./commands.ts";

// Everything that can start or end a raise, parsed at the edge into one type. Slack's `scale` and
// `headroom` arrive on the same queue as `command` triggers and go through the same holds.

export type PrescalingTrigger =
  | { type: "alarm"; id: string; alarmName: string; state: "ALARM" | "OK" | "INSUFFICIENT_DATA"; at: number }
  | { type: "window"; id: string; policy: string; window: string; at: number }
  | { type: "sweep"; id: string; at: number }
  | { type: "command"; id: string; command: ScalingCommand; cluster?: string; actor: string; at: number };

/**
 * Example (EventBridge, source aws.cloudwatch):
 * {"version":"0","id":"c4c1c1c9-6542-e61b-6ef0-8c4d36933a92","detail-type":"CloudWatch Alarm State Change",
 *  "source":"aws.cloudwatch","account":"123456789012","time":"2019-10-02T17:04:40Z","region":"us-east-1",
 *  "resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],
 *  "detail":{"alarmName":"ServerCpuTooHigh","state":{"value":"ALARM","reason":"...",
 *  "timestamp":"2019-10-02T17:04:40.989+0000"},"previousState":{"value":"OK", ...}}}
 */
const alarmEventSchema = z.object({
  id: z.string(),
  source: z.literal("aws.cloudwatch"),
  "detail-type": z.literal("CloudWatch Alarm State Change"),
  time: z.string(),
  detail: z.object({
    alarmName: z.string().check(z.minLength(1)),
    state: z.object({ value: z.enum(["ALARM", "OK", "INSUFFICIENT_DATA"]), timestamp: z.optional(z.string()) }),
  }),
});

/** What the stack's schedules send (EventBridge Scheduler or a cron rule, as the target's input). */
const scheduledSchema = z.discriminatedUnion("action", [
  z.object({
    harbormaster: z.literal("prescaling"),
    action: z.literal("window"),
    policy: z.string(),
    window: z.string(),
  }),
  z.object({ harbormaster: z.literal("prescaling"), action: z.literal("sweep") }),
]);

export class TriggerParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TriggerParseError";
  }
}

/** One queue message into a trigger. `receivedAt` stands in for times a schedule does not send. */
export function parseTrigger(body: string, messageId: string, receivedAt: number): PrescalingTrigger {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new TriggerParseError("message body is not JSON");
  }
  const alarm = alarmEventSchema.safeParse(json);
  if (alarm.success) {
    const { detail } = alarm.data;
    // The state's own timestamp has milliseconds; the envelope's time has seconds, too coarse to order by.
    const at = timestamp(detail.state.timestamp) ?? timestamp(alarm.data.time) ?? receivedAt;
    return { type: "alarm", id: alarm.data.id, alarmName: detail.alarmName, state: detail.state.value, at };
  }
  const command = commandMessageSchema.safeParse(json);
  if (command.success) {
    const c = command.data;
    return { type: "command", id: c.requestId, command: c.command, cluster: c.cluster, actor: c.actor, at: c.at };
  }
  // A command message that does not validate says why, rather than "not a schedule".
  if (isCommandMessage(json)) throw new TriggerParseError(`command message: ${z.prettifyError(command.error)}`);
  const scheduled = scheduledSchema.safeParse(json);
  if (scheduled.success) {
    const s = scheduled.data;
    if (s.action === "sweep") return { type: "sweep", id: messageId, at: receivedAt };
    return { type: "window", id: messageId, policy: s.policy, window: s.window, at: receivedAt };
  }
  throw new TriggerParseError("neither a CloudWatch alarm state change nor a Harbormaster schedule or command");
}

function isCommandMessage(json: unknown): boolean {
  return typeof json === "object" && json !== null && (json as { action?: unknown }).action === "command";
}

// CloudWatch writes "2019-10-02T17:04:40.989+0000", which Date.parse reads only with a colon in the offset.
function timestamp(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(ms) ? undefined : ms;
}
