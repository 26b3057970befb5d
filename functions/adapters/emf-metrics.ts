import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MetricsPort } from "../core/ports.ts";

/** Metrics as CloudWatch Embedded Metric Format, flushed by the handler at the end of each invocation. */
export class EmfMetrics implements MetricsPort {
  private readonly metrics: Metrics;

  constructor(metrics: Metrics) {
    this.metrics = metrics;
  }

  count(name: string, dimensions: Record<string, string> = {}, value = 1): void {
    this.single(name, MetricUnit.Count, value, dimensions);
  }

  latency(name: string, ms: number, dimensions: Record<string, string> = {}): void {
    this.single(name, MetricUnit.Milliseconds, ms, dimensions);
  }

  private single(
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions: Record<string, string>,
  ) {
    const metric = this.metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) metric.addDimension(key, dimension);
    // A single metric publishes itself as soon as it is added.
    metric.addMetric(name, unit, value);
  }
}
