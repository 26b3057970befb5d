// A Prometheus histogram for the request path: an observation adds to a fixed array of bucket counts (no
// label hashing, no allocation), and the text is written when /metrics is scraped. prom-client's Histogram
// hashes its labels on every observe, which costs more than some of the request's own work.

export interface BucketHistogramOptions<S extends string> {
  name: string;
  help: string;
  /** Upper bounds, ascending; +Inf is implied. */
  buckets: readonly number[];
  /** Every series, by key, with its labels: the series are fixed when the histogram is made. */
  series: ReadonlyMap<S, Record<string, string>>;
}

export class BucketHistogram<S extends string> {
  readonly #options: BucketHistogramOptions<S>;
  readonly #index: ReadonlyMap<S, number>;
  /** Per series: one count per bound, then +Inf; cumulative sums are made at scrape. */
  readonly #counts: Float64Array[];
  readonly #sums: Float64Array;

  constructor(options: BucketHistogramOptions<S>) {
    this.#options = options;
    this.#index = new Map([...options.series.keys()].map((key, i) => [key, i]));
    this.#counts = [...options.series.keys()].map(() => new Float64Array(options.buckets.length + 1));
    this.#sums = new Float64Array(options.series.size);
  }

  /** Counts one observation of `value` in the series `key`. */
  record(key: S, value: number): void {
    const i = this.#index.get(key);
    if (i === undefined) return;
    const bounds = this.#options.buckets;
    const counts = this.#counts[i] as Float64Array;
    let b = 0;
    while (b < bounds.length && value > (bounds[b] as number)) b++;
    counts[b] = (counts[b] as number) + 1;
    this.#sums[i] = (this.#sums[i] as number) + value;
  }

  /** The observations so far of one series: cumulative bucket counts (the last is +Inf), sum and count. */
  snapshot(key: S): { buckets: number[]; sum: number; count: number } {
    const i = this.#index.get(key) as number;
    let cumulative = 0;
    const buckets = [...(this.#counts[i] as Float64Array)].map((n) => (cumulative += n));
    return { buckets, sum: this.#sums[i] as number, count: cumulative };
  }

  /** The Prometheus text format, as prom-client writes a histogram: series observed at least once. */
  text(): string {
    const { name, help, buckets: bounds, series } = this.#options;
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    for (const [key, labels] of series) {
      const { buckets, sum, count } = this.snapshot(key);
      if (count === 0) continue;
      const pairs = Object.entries(labels).map(([label, value]) => `${label}="${escapeLabel(value)}"`);
      const labelText = pairs.join(",");
      buckets.forEach((n, b) => {
        const le = b < bounds.length ? String(bounds[b]) : "+Inf";
        lines.push(`${name}_bucket{le="${le}",${labelText}} ${n}`);
      });
      lines.push(`${name}_sum{${labelText}} ${sum}`, `${name}_count{${labelText}} ${count}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}
