// The pre-scaling core's public surface.
export { processPrescalingBatch } from "./batch.ts";
export { dispatch } from "./dispatch.ts";
export { floorFor, floorLevels } from "./floor.ts";
export { freeCapacity, headroomUnits } from "./headroom.ts";
export { heldLabel, stateAnnotation } from "./holds.ts";
export type { PrescalingNotification } from "./notifications.ts";
export { type Policy, policiesSchema } from "./policy.ts";
export { Prescaler } from "./prescaler.ts";
export { type PrescalingTrigger, parseTrigger } from "./triggers.ts";
export { activeOccurrence, rampCron } from "./windows.ts";
