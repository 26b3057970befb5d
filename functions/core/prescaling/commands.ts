import * as z from "../zod.ts";
import type { Hold, HoldState, Levels } from "./holds.ts";
import { holdKey } from "./holds.ts";

// What a person asks of pre-scaling by hand (Slack's `scale` and `headroom`): the message on the pre-scaling
// queue, and how its hold sits beside the policies' holds.

/** A hold set by hand is kept this long when the command gives no `for <duration>`. */
export const defaultCommandSeconds = 3600;
export const maxCommandSeconds = 7 * 86_400;

/**
 * Every command hold on an object shares one key, whoever sent it: the latest command replaces the previous
 * one, so `scale web/api 3` after `scale web/api 10` means 3, and a command at the original ends the hold.
 * A colon cannot appear in a policy's name, so this never meets a policy's hold.
 */
export const commandPolicy = "command:slack";
export const commandTrigger = "command";

const k8sName = z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a Kubernetes name"));
const seconds = z.optional(z.number().check(z.int(), z.minimum(60), z.maximum(maxCommandSeconds)));

export const scalingCommandSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("scale"),
    namespace: k8sName,
    name: z.string().check(z.minLength(1), z.maxLength(253)),
    min: z.number().check(z.int(), z.minimum(1), z.maximum(10_000)),
    forSeconds: seconds,
  }),
  z.strictObject({
    kind: z.literal("headroom"),
    replicas: z.number().check(z.int(), z.minimum(0), z.maximum(1000)),
    forSeconds: seconds,
  }),
]);
export type ScalingCommand = z.infer<typeof scalingCommandSchema>;

/**
 * Example (what the Slack worker sends to the pre-scaling queue):
 * {"harbormaster":"prescaling","action":"command","command":{"kind":"scale","namespace":"web","name":"api",
 *  "min":10,"forSeconds":7200},"actor":"slack:U0ALICE","requestId":"5f0c…","at":1767225600000}
 */
export const commandMessageSchema = z.strictObject({
  harbormaster: z.literal("prescaling"),
  action: z.literal("command"),
  command: scalingCommandSchema,
  /** The cluster it is for; absent only where the function serves one cluster. */
  cluster: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  actor: z.string().check(z.minLength(1), z.maxLength(100)),
  /** Stable per request: a redelivered message is the same command, and names the same thread. */
  requestId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** When it was asked: orders commands, and the hold's expiry counts from it, so a redelivery changes nothing. */
  at: z.number().check(z.int(), z.minimum(0)),
});
export type CommandMessage = z.infer<typeof commandMessageSchema>;

export function commandSeconds(command: ScalingCommand): number {
  return command.forSeconds ?? defaultCommandSeconds;
}

/**
 * Puts a command's hold in place of the previous command's. An older command than the one held changes
 * nothing (messages may arrive out of order). A command that asks for no more than the originals ends the
 * command's hold at once: the levels then fall back to the policies' holds, or to the originals.
 */
export function withCommandHold(state: HoldState, hold: Hold): HoldState {
  const key = holdKey(hold.policy, hold.trigger);
  const existing = state.holds[key];
  if (existing && existing.since > hold.since) return state;
  if (raises(state.original, hold.levels)) return { ...state, holds: { ...state.holds, [key]: hold } };
  if (!existing) return state;
  return { ...state, holds: { ...state.holds, [key]: { ...existing, releaseAt: hold.since } } };
}

function raises(original: Levels, levels: Levels): boolean {
  return Object.entries(levels).some(([level, value]) => value > (original[level as keyof Levels] ?? 0));
}
