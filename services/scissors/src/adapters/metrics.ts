import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type Phase = "queue" | "download" | "processing";

/** The service's Prometheus metrics, on a registry of its own so that several servers can share a process. */
export function createMetrics(sample: () => { queueDepth: number; processing: number; downloads: number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "scissors_" });
  const requests = new Counter({
    name: "scissors_requests_total",
    help: "Requests answered, by route and status code",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "scissors_request_duration_seconds",
    help: "Time from request to response, by route",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const phases = new Histogram({
    name: "scissors_phase_duration_seconds",
    help: "Time spent per phase of an image request: waiting in the queue, downloading the source, processing",
    labelNames: ["phase"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: "scissors_errors_total",
    help: "Image requests that failed, by error code",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  const cache = new Counter({
    name: "scissors_cache_total",
    help: "Result lookups: hit (cache), shared (joined an identical request in flight), miss",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  // Sampled at scrape time, so the gauge is always the current value. The HPA scales on queue depth.
  new Gauge({
    name: "scissors_queue_depth",
    help: "Image requests waiting for a processing slot",
    registers: [registry],
    collect() {
      this.set(sample().queueDepth);
    },
  });
  new Gauge({
    name: "scissors_processing_in_flight",
    help: "Images being decoded or encoded now",
    registers: [registry],
    collect() {
      this.set(sample().processing);
    },
  });
  new Gauge({
    name: "scissors_downloads_in_flight",
    help: "Source downloads in progress",
    registers: [registry],
    collect() {
      this.set(sample().downloads);
    },
  });
  // Label children are looked up once: prom-client hashes the label set on every call otherwise, three to five
  // times per image request.
  const phaseChildren = {
    queue: phases.labels("queue"),
    download: phases.labels("download"),
    processing: phases.labels("processing"),
  };
  const routeChildren = new Map<
    string,
    { count: Map<number, Counter.Internal>; duration: Histogram.Internal<"route"> }
  >();
  const routeChild = (route: string) => {
    let child = routeChildren.get(route);
    if (!child) {
      child = { count: new Map(), duration: duration.labels(route) };
      routeChildren.set(route, child);
    }
    return child;
  };
  return {
    registry,
    request(route: string, status: number, seconds: number) {
      const child = routeChild(route);
      let counter = child.count.get(status);
      if (!counter) {
        counter = requests.labels(route, String(status));
        child.count.set(status, counter);
      }
      counter.inc();
      child.duration.observe(seconds);
    },
    phase(phase: Phase, seconds: number) {
      phaseChildren[phase].observe(seconds);
    },
    error(code: string) {
      errors.inc({ code });
    },
    cache(result: "hit" | "shared" | "miss") {
      cache.inc({ result });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
