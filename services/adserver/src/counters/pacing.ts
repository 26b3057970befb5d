// How many ads each campaign has served today across the fleet. One MGET per refresh interval reads the
// fleet's totals; between refreshes this pod adds its own serves, so it never overshoots on its own.
import type { Redis } from "ioredis";
import { utcDay } from "../domain/pacing.ts";
import type { Metrics } from "../ops/metrics.ts";
import { timed } from "../redis/connection.ts";
import { DAY_COUNTER_TTL_SECONDS, keys } from "../redis/keys.ts";
import type { CounterBatcher } from "./batcher.ts";

export class PacingCounters {
  #day = "";
  #delivered = new Map<string, number>();
  #loaded = false;
  readonly #redis: Redis;
  readonly #batcher: CounterBatcher;
  readonly #metrics: Metrics;
  readonly #now: () => number;

  constructor(redis: Redis, batcher: CounterBatcher, metrics: Metrics, now: () => number) {
    this.#redis = redis;
    this.#batcher = batcher;
    this.#metrics = metrics;
    this.#now = now;
  }

  /** True once the fleet's totals have been read at least once: before that, pacing would be blind. */
  get loaded(): boolean {
    return this.#loaded;
  }

  deliveredToday(campaignId: string): number {
    this.#rollOver();
    return this.#delivered.get(campaignId) ?? 0;
  }

  served(campaignId: string): void {
    this.#rollOver();
    this.#delivered.set(campaignId, (this.#delivered.get(campaignId) ?? 0) + 1);
    this.#batcher.incr(keys.delivered(this.#day, campaignId), DAY_COUNTER_TTL_SECONDS);
  }

  async refresh(campaignIds: readonly string[]): Promise<void> {
    const day = utcDay(this.#now());
    const counterKeys = campaignIds.map((id) => keys.delivered(day, id));
    // Taken before the read is sent: the same connection writes earlier flushes first, later ones after.
    const pending = counterKeys.map((key) => this.#batcher.pendingCount(key));
    const values =
      counterKeys.length === 0
        ? []
        : await timed(this.#metrics, "pacing_refresh", () => this.#redis.mget(...counterKeys));
    const delivered = new Map<string, number>();
    campaignIds.forEach((id, i) => {
      delivered.set(id, Number(values[i] ?? 0) + (pending[i] ?? 0));
    });
    if (day !== utcDay(this.#now())) return;
    this.#day = day;
    this.#delivered = delivered;
    this.#loaded = true;
  }

  #rollOver(): void {
    const day = utcDay(this.#now());
    if (day !== this.#day) {
      this.#day = day;
      this.#delivered = new Map();
    }
  }
}
