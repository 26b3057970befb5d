import { HarbormasterError } from "../errors.ts";

/** The rollout will not write: unknown records, all-zero weights, nothing to shift, another rollout running. */
export class TrafficRefused extends HarbormasterError {}

/**
 * The change batch failed as a whole because a record no longer held the values it was read with:
 * someone else changed the domain between our read and our write.
 */
export class ConcurrentModification extends HarbormasterError {}

/** A webhook without a valid signature or shared secret. */
export class WebhookUnauthorized extends HarbormasterError {}

/** A webhook body over the limit, refused before its signature is computed. */
export class WebhookTooLarge extends HarbormasterError {}
