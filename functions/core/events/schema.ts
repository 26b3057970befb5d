import { z } from "zod";

export const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, "expected an EC2 instance id (i-...)");

export const isoTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/** AWS Health writes times in RFC 1123 ("Sat, 15 Mar 2025 15:00:00 GMT"), not ISO 8601; accept both. */
export const httpOrIsoTime = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: `unparseable time "${value}"` });
    return z.NEVER;
  }
  return new Date(ms);
});

/** The EventBridge envelope every event but a direct ASG notification arrives in. */
export const envelope = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  "detail-type": z.string().min(1),
  time: isoTime,
  region: z.string().optional(),
  account: z.string().optional(),
  resources: z.array(z.string()).default([]),
  detail: z.unknown(),
});
export type Envelope = z.infer<typeof envelope>;

export const lifecycleTransition = z.enum([
  "autoscaling:EC2_INSTANCE_TERMINATING",
  "autoscaling:EC2_INSTANCE_LAUNCHING",
]);

/** Lifecycle fields are the same in the EventBridge detail and in a direct SQS notification. */
export const lifecycleFields = z.object({
  LifecycleActionToken: z.string().min(1),
  AutoScalingGroupName: z.string().min(1),
  LifecycleHookName: z.string().min(1),
  EC2InstanceId: instanceId,
  LifecycleTransition: lifecycleTransition,
  Origin: z.string().default(""),
  Destination: z.string().default(""),
});

export function envelopeBase(event: Envelope) {
  return { eventId: event.id, eventTime: event.time, region: event.region, account: event.account };
}
