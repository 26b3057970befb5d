// Reads the catalog the loader wrote. Documents are parsed on the way in: a bad key is an error, not a crash.
import type { Redis } from "ioredis";
import { z } from "zod";
import { type SlotDocument, slotDocumentSchema } from "../domain/catalog.ts";
import type { Metrics } from "../ops/metrics.ts";
import { timed } from "./connection.ts";
import { keys } from "./keys.ts";

export const manifestSchema = z.strictObject({
  version: z.number().int().positive(),
  loadedAt: z.string(),
  source: z.string(),
  slots: z.array(z.string()),
  campaigns: z.array(z.string()),
});
export type Manifest = z.output<typeof manifestSchema>;

export class CatalogStore {
  readonly #redis: Redis;
  readonly #metrics: Metrics;

  constructor(redis: Redis, metrics: Metrics) {
    this.#redis = redis;
    this.#metrics = metrics;
  }

  async version(): Promise<number | undefined> {
    const text = await timed(this.#metrics, "catalog_version", () => this.#redis.get(keys.catalogVersion));
    return text === null ? undefined : Number(text);
  }

  async manifest(version: number): Promise<Manifest> {
    const text = await timed(this.#metrics, "manifest", () => this.#redis.get(keys.manifest(version)));
    if (text === null) throw new Error(`catalog version ${version} has no manifest`);
    return manifestSchema.parse(JSON.parse(text));
  }

  /** The slot's document, or null when the slot is not in this version. */
  async slot(version: number, slotId: string): Promise<SlotDocument | null> {
    const text = await timed(this.#metrics, "slot", () => this.#redis.get(keys.slot(version, slotId)));
    if (text === null) return null;
    return slotDocumentSchema.parse(JSON.parse(text));
  }
}
