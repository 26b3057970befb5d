import * as z from "../zod.ts";

export const instanceId = z.string().check(z.regex(/^i-[0-9a-f]{8,17}$/, "expected an EC2 instance id (i-...)"));

export const isoTime = z.pipe(
  z.iso.datetime({ offset: true }),
  z.transform((value: string) => new Date(value)),
);

/** AWS Health writes times in RFC 1123 ("Sat, 15 Mar 2025 15:00:00 GMT"), not ISO 8601; accept both. */
export const httpOrIsoTime = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      ctx.issues.push({ code: "custom", message: `unparseable time "${value}"`, input: value });
      return z.NEVER;
    }
    return new Date(ms);
  }),
);

/** The EventBridge envelope every event but a direct ASG notification arrives in. */
export const envelope = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.string().check(z.minLength(1)),
  "detail-type": z.string().check(z.minLength(1)),
  time: isoTime,
  region: z.optional(z.string()),
  account: z.optional(z.string()),
  resources: z._default(z.array(z.string()), []),
  detail: z.unknown(),
});
export type Envelope = z.infer<typeof envelope>;

export const lifecycleTransition = z.enum([
  "autoscaling:EC2_INSTANCE_TERMINATING",
  "autoscaling:EC2_INSTANCE_LAUNCHING",
]);

/** Lifecycle fields are the same in the EventBridge detail and in a direct SQS notification. */
export const lifecycleFields = z.object({
  LifecycleActionToken: z.string().check(z.minLength(1)),
  AutoScalingGroupName: z.string().check(z.minLength(1)),
  LifecycleHookName: z.string().check(z.minLength(1)),
  EC2InstanceId: instanceId,
  LifecycleTransition: lifecycleTransition,
  Origin: z._default(z.string(), ""),
  Destination: z._default(z.string(), ""),
});

export function envelopeBase(event: Envelope) {
  return { eventId: event.id, eventTime: event.time, region: event.region, account: event.account };
}
