// Writes a validated seed as a new catalog version in one MULTI/EXEC: all the version's keys and the pointer
// move together, or nothing changes. WATCH makes two loaders running at once fail instead of interleave.
import type { Redis } from "ioredis";
import type { SlotDocument } from "../domain/catalog.ts";
import { type Manifest, manifestSchema } from "../redis/catalog-store.ts";
import { keys, OLD_VERSION_TTL_SECONDS } from "../redis/keys.ts";
import type { Seed } from "./seed-file.ts";

export function slotDocuments(seed: Seed): SlotDocument[] {
  return seed.slots.map((slot) => ({
    slot,
    campaigns: seed.campaigns.filter((c) => c.targeting.slots.includes(slot.id)),
  }));
}

export class ConcurrentLoadError extends Error {
  override name = "ConcurrentLoadError";
}

export async function writeCatalog(redis: Redis, seed: Seed, source: string, now = new Date()): Promise<Manifest> {
  await redis.watch(keys.catalogVersion);
  try {
    const previous = await redis.get(keys.catalogVersion);
    const previousManifest = previous ? await redis.get(keys.manifest(Number(previous))) : null;
    const version = await redis.incr(keys.catalogSequence);
    const manifest: Manifest = {
      version,
      loadedAt: now.toISOString(),
      source,
      slots: seed.slots.map((s) => s.id),
      campaigns: seed.campaigns.map((c) => c.id),
    };
    const tx = redis.multi();
    for (const document of slotDocuments(seed)) tx.set(keys.slot(version, document.slot.id), JSON.stringify(document));
    tx.set(keys.manifest(version), JSON.stringify(manifest));
    tx.set(keys.catalogVersion, String(version));
    if (previous && previousManifest) {
      // Pods that have not seen the new pointer yet may still read the old version for a while.
      const old = manifestSchema.parse(JSON.parse(previousManifest));
      for (const slot of old.slots) tx.expire(keys.slot(old.version, slot), OLD_VERSION_TTL_SECONDS);
      tx.expire(keys.manifest(old.version), OLD_VERSION_TTL_SECONDS);
    }
    const results = await tx.exec();
    if (results === null) throw new ConcurrentLoadError("another load changed the catalog at the same time; run again");
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    return manifest;
  } finally {
    await redis.unwatch().catch(() => {});
  }
}
