// The catalog version this pod serves, and its slot documents through the local cache. A version's
// documents never change, so they are cached without a freshness limit; a new version means new keys.
import type { ReadThroughCache } from "../cache/read-through.ts";
import type { SlotDocument } from "../domain/catalog.ts";
import type { Logger } from "../ops/logger.ts";
import type { CatalogStore } from "../redis/catalog-store.ts";

export class Catalog {
  #version: number | undefined;
  #campaignIds: readonly string[] = [];
  readonly #store: CatalogStore;
  readonly #slots: ReadThroughCache<SlotDocument | null>;
  readonly #log: Logger;

  constructor(store: CatalogStore, slots: ReadThroughCache<SlotDocument | null>, log: Logger) {
    this.#store = store;
    this.#slots = slots;
    this.#log = log;
  }

  get version(): number | undefined {
    return this.#version;
  }

  get campaignIds(): readonly string[] {
    return this.#campaignIds;
  }

  /** Follows the version pointer; while Redis is unreachable the pod keeps the version it has. */
  async poll(): Promise<void> {
    const version = await this.#store.version();
    if (version === undefined || version === this.#version) return;
    const manifest = await this.#store.manifest(version);
    this.#campaignIds = manifest.campaigns;
    this.#log.info("catalog version loaded", {
      version,
      previous: this.#version,
      slots: manifest.slots.length,
      campaigns: manifest.campaigns.length,
    });
    this.#version = version;
  }

  /** The slot's document, or null for a slot this version does not have. */
  slot(slotId: string): Promise<SlotDocument | null> {
    const version = this.#version;
    if (version === undefined) return Promise.reject(new Error("no catalog version loaded yet"));
    return this.#slots.get(`${version}:${slotId}`, this.#load);
  }

  /** The slot's document if it is in the local cache; undefined when it would take a Redis read. */
  cachedSlot(slotId: string): SlotDocument | null | undefined {
    const version = this.#version;
    if (version === undefined) return undefined;
    return this.#slots.cached(`${version}:${slotId}`, this.#load);
  }

  /** Loads `<version>:<slot>`. */
  readonly #load = (key: string) => {
    const cut = key.indexOf(":");
    return this.#store.slot(Number(key.slice(0, cut)), key.slice(cut + 1));
  };
}
