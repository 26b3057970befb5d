// The catalog as the loader validates it and as the server reads it back from Redis.
// One schema for both: the server re-parses what it reads, so a hand-edited key cannot crash a request.
import { z } from "zod";

export const devices = ["desktop", "mobile", "tablet", "ctv"] as const;
export type Device = (typeof devices)[number];

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "ids are 1-64 characters of A-Z a-z 0-9 _ . -");
export const sizeSchema = z.string().regex(/^[1-9]\d{0,3}x[1-9]\d{0,3}$/, 'sizes are "WIDTHxHEIGHT", e.g. "300x250"');
const country = z.string().regex(/^[A-Z]{2}$/, "countries are ISO 3166-1 alpha-2 codes in capitals, e.g. JP");
const httpsUrl = z.url({ protocol: /^https?$/ });
const instant = z.iso.datetime({ offset: true }).transform((text) => Date.parse(text));

export const creativeSchema = z.strictObject({
  id,
  size: sizeSchema,
  weight: z.number().int().min(1).max(1_000_000).default(1),
  imageUrl: httpsUrl,
  clickUrl: httpsUrl,
});
export type Creative = z.output<typeof creativeSchema>;

export const frequencyCapSchema = z.strictObject({
  impressions: z.number().int().min(1),
  windowSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400),
});
export type FrequencyCap = z.output<typeof frequencyCapSchema>;

export const campaignSchema = z.strictObject({
  id,
  /** A higher priority is always tried first; weight splits traffic within one priority. */
  priority: z.number().int().min(0).max(100).default(0),
  weight: z.number().int().min(1).max(1_000_000).default(1),
  schedule: z.strictObject({ start: instant, end: instant }).refine((s) => s.start < s.end, "start must be before end"),
  /** Impressions per UTC day, spread evenly over the part of the day the schedule covers. */
  dailyBudget: z.number().int().min(1),
  frequencyCap: frequencyCapSchema.optional(),
  targeting: z.strictObject({
    slots: z.array(id).min(1),
    devices: z.array(z.enum(devices)).min(1).optional(),
    countries: z.array(country).min(1).optional(),
  }),
  creatives: z.array(creativeSchema).min(1),
});
export type Campaign = z.output<typeof campaignSchema>;

export const slotSchema = z.strictObject({ id, sizes: z.array(sizeSchema).min(1) });
export type Slot = z.output<typeof slotSchema>;

/** What one Redis key holds: a slot and every campaign that targets it, so a request needs one read. */
export const slotDocumentSchema = z.strictObject({
  slot: slotSchema,
  campaigns: z.array(
    z.strictObject({ ...campaignSchema.shape, schedule: z.strictObject({ start: z.number(), end: z.number() }) }),
  ),
});
export type SlotDocument = z.output<typeof slotDocumentSchema>;
