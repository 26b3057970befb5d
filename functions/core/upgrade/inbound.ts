// Parses the upgrade's own inputs to the traffic function: the custom event and its step schedules' payload.
import * as z from "../zod.ts";
import { type UpgradeCommand, upgradeActions } from "./commands.ts";
import { upgradeDetailType, upgradeSource, upgradeStepMarker } from "./inbound-names.ts";

const name = z.string().check(z.minLength(1), z.maxLength(64));
const text = z.string().check(z.minLength(1), z.maxLength(200));

const stepPayload = z.object({
  harbormaster: z.literal(upgradeStepMarker),
  upgrade: name,
  rolloutId: z.string().check(z.minLength(1), z.maxLength(64)),
  revision: z.number().check(z.int(), z.minimum(0)),
});

const upgradeDetail = z.object({
  upgrade: name,
  action: z.enum(upgradeActions),
  actor: z.optional(text),
  reason: z.optional(text),
});

/** The step schedule's payload, or undefined when `event` is not one. */
export function parseUpgradeStep(event: unknown): UpgradeCommand | undefined {
  const step = stepPayload.safeParse(event);
  if (!step.success) return undefined;
  const { upgrade, rolloutId, revision } = step.data;
  return { kind: "upgrade_step", ticket: { upgrade, rolloutId, revision } };
}

export const isUpgradeEvent = (source: string, detailType: string) =>
  source === upgradeSource && detailType === upgradeDetailType;

/** The custom event's detail; throws a ZodError naming the bad field. */
export function parseUpgradeDetail(detail: unknown, eventId: string): UpgradeCommand {
  return { kind: "upgrade", ...upgradeDetail.parse(detail), eventId };
}
