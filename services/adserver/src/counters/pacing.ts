// How many ads each campaign has served today across the fleet. One MGET per refresh interval reads the
// fleet's totals; between refreshes this pod adds its own serves, so it never overshoots on its own.
import { DAY_MS, utcDay } from "../domain/pacing.ts";
import type { Metrics } from "../ops/metrics.ts";
import { timed } from "../redis/connection.ts";
import { DAY_COUNTER_TTL_SECONDS, keys } from "../redis/keys.ts";
import type { CounterBatcher } from "./batcher.ts";

export class PacingCounters {
  #day = "";
  /** The current day's bounds, so the day's name is formatted once a day, not once per campaign and request. */
  #dayStart = 0;
  #dayEnd = 0;
  #delivered = new Map<string, number>();
  /** Today's pacing key per campaign, so a serve formats no key. */
  #keys = new Map<string, string>();
  #loaded = false;
  readonly #batcher: CounterBatcher;
  readonly #metrics: Metrics;
  readonly #now: () => number;

  constructor(batcher: CounterBatcher, metrics: Metrics, now: () => number) {
    this.#batcher = batcher;
    this.#metrics = metrics;
    this.#now = now;
  }

  /** True once the fleet's totals have been read at least once: before that, pacing would be blind. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** `now`: the decision's time, read once per request by the caller. */
  deliveredToday(campaignId: string, now: number): number {
    this.#rollOver(now);
    return this.#delivered.get(campaignId) ?? 0;
  }

  served(campaignId: string, now: number): void {
    this.#rollOver(now);
    this.#delivered.set(campaignId, (this.#delivered.get(campaignId) ?? 0) + 1);
    let key = this.#keys.get(campaignId);
    if (key === undefined) {
      key = keys.delivered(this.#day, campaignId);
      this.#keys.set(campaignId, key);
    }
    this.#batcher.incr(key, DAY_COUNTER_TTL_SECONDS);
  }

  async refresh(campaignIds: readonly string[]): Promise<void> {
    const day = utcDay(this.#now());
    const counterKeys = campaignIds.map((id) => keys.delivered(day, id));
    const values =
      counterKeys.length === 0
        ? []
        : await timed(this.#metrics, "pacing_refresh", () =>
            this.#batcher.read<Array<string | null>>((pipeline) => pipeline.mget(...counterKeys)),
          );
    // The read follows every flush of ours; what is pending now is exactly what it cannot include.
    const delivered = new Map<string, number>();
    campaignIds.forEach((id, i) => {
      delivered.set(id, Number(values[i] ?? 0) + this.#batcher.pendingCount(counterKeys[i] as string));
    });
    this.#rollOver(this.#now());
    if (day !== this.#day) return;
    this.#delivered = delivered;
    this.#loaded = true;
  }

  #rollOver(now: number): void {
    if (now >= this.#dayStart && now < this.#dayEnd) return;
    this.#dayStart = now - (now % DAY_MS);
    this.#dayEnd = this.#dayStart + DAY_MS;
    const day = utcDay(now);
    if (day !== this.#day) {
      this.#day = day;
      this.#delivered = new Map();
      this.#keys = new Map();
    }
  }
}
