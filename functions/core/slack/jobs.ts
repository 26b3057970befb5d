// Work the acknowledging function hands to the worker through the queue.

import type { Notification } from "../notifications.ts";
import * as z from "../zod.ts";

export type SlackJob =
  | {
      kind: "command";
      /** The command's text as typed (or as confirmed); the worker parses it again with the same grammar. */
      text: string;
      cluster?: string;
      user: string;
      channel: string;
      responseUrl: string;
    }
  | { kind: "cancel"; user: string; responseUrl: string }
  | { kind: "notification"; cluster?: string; notification: Notification };

const notificationSchema = z.looseObject({
  type: z.string().check(z.minLength(1)),
  threadKey: z.string().check(z.minLength(1)),
  dedupeKey: z.string().check(z.minLength(1)),
  at: z.string(),
  cluster: z.optional(z.string().check(z.minLength(1))),
});

const jobSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("command"),
    text: z.string(),
    cluster: z.optional(z.string()),
    user: z.string(),
    channel: z.string(),
    responseUrl: z.url(),
  }),
  z.object({ kind: z.literal("cancel"), user: z.string(), responseUrl: z.url() }),
  z.object({ kind: z.literal("notification"), cluster: z.optional(z.string()), notification: notificationSchema }),
]);

/** Parses a queue message body; notifications are checked for their envelope only (each feature owns its fields). */
export function parseJob(body: string): SlackJob {
  return jobSchema.parse(JSON.parse(body)) as SlackJob;
}
