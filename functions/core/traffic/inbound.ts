// Parses what invokes the traffic function: EventBridge events (alarms, deploys, control) and the
// payload of its own one-shot schedules. Anything else is rejected with the reason.
import type { UpgradeCommand } from "../upgrade/commands.ts";
import { isUpgradeEvent, parseUpgradeDetail, parseUpgradeStep } from "../upgrade/inbound.ts";
import * as z from "../zod.ts";
import { controlActions, type TrafficCommand } from "./commands.ts";

/** The custom events CI or a script sends; the webhook function sends the same. */
export const deploySource = "harbormaster.deploy";
export const deployDetailTypes = {
  "Deployment Started": "started",
  "Deployment Succeeded": "succeeded",
  "Deployment Failed": "failed",
} as const;
export const controlSource = "harbormaster.traffic";
export const controlDetailType = "Traffic Control";
export const stepPayloadMarker = "harbormaster.traffic.step";

const stepPayload = z.object({
  harbormaster: z.literal(stepPayloadMarker),
  domain: z.string().check(z.minLength(1)),
  rolloutId: z.string().check(z.minLength(1)),
  revision: z.number().check(z.int(), z.minimum(0)),
});

const envelope = z.object({ id: z.string(), source: z.string(), "detail-type": z.string(), time: z.string() });

const alarmDetail = z.object({
  alarmName: z.string().check(z.minLength(1)),
  state: z.object({ value: z.string(), reason: z._default(z.string(), "") }),
});

const text = z.string().check(z.minLength(1), z.maxLength(200));
export const deployDetail = z.object({
  application: text,
  environment: z.optional(text),
  revision: z.optional(text),
  target: z.optional(text),
  url: z.optional(z.url().check(z.maxLength(500))),
  origin: z._default(z.enum(["eventbridge", "argocd", "github"]), "eventbridge"),
  /** Set by the webhook: the delivery id, so a redelivery maps to the same rollout. */
  deliveryId: z.optional(text),
});

const controlDetail = z
  .object({
    domain: z.string().check(z.minLength(1)),
    action: z.enum(controlActions),
    actor: z.optional(text),
    reason: z.optional(text),
    percent: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(100))),
    target: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  })
  .check(
    z.refine((d) => d.action !== "shift" || d.percent !== undefined, {
      message: "a shift names the percent its target gets",
      path: ["percent"],
    }),
  );

export class UnrecognisedTrafficEvent extends Error {}

/** One command, or undefined for an event that is ours to ignore (an alarm leaving ALARM). */
export function parseTrafficEvent(event: unknown): TrafficCommand | UpgradeCommand | undefined {
  const upgradeStep = parseUpgradeStep(event);
  if (upgradeStep) return upgradeStep;
  const step = stepPayload.safeParse(event);
  if (step.success) {
    const { domain, rolloutId, revision } = step.data;
    return { kind: "step", ticket: { domain, rolloutId, revision } };
  }
  const head = envelope.safeParse(event);
  if (!head.success)
    throw new UnrecognisedTrafficEvent(`not an EventBridge event or step payload: ${z.prettifyError(head.error)}`);
  const { id, source, "detail-type": detailType, time } = head.data;
  const detail = (event as { detail?: unknown }).detail;
  if (source === "aws.cloudwatch" && detailType === "CloudWatch Alarm State Change") {
    const alarm = alarmDetail.parse(detail);
    if (alarm.state.value !== "ALARM") return undefined;
    return { kind: "alarm", alarmName: alarm.alarmName, reason: alarm.state.reason, eventId: id, at: Date.parse(time) };
  }
  if (source === deploySource && detailType in deployDetailTypes) {
    const d = deployDetail.parse(detail);
    const status = deployDetailTypes[detailType as keyof typeof deployDetailTypes];
    const { origin, deliveryId, ...rest } = d;
    return { kind: "deploy", deploy: { ...rest, source: origin, status, id: deliveryId ?? id } };
  }
  if (isUpgradeEvent(source, detailType)) return parseUpgradeDetail(detail, id);
  if (source === controlSource && detailType === controlDetailType) {
    return { kind: "control", ...controlDetail.parse(detail), eventId: id };
  }
  throw new UnrecognisedTrafficEvent(`no traffic command for ${source} / ${detailType}`);
}
