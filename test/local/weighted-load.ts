// Load that follows DNS: every request goes to blue's or green's ad server in proportion to the weighted
// Route53 records in the emulator, read every 250 ms, as resolvers honouring a 1 s TTL would. Each request
// is recorded with the cluster it reached, its status and latency, and whether that cluster had fewer
// Ready pods than its share needs at that moment (test/local/provisioning.ts says what that means).
import { ListResourceRecordSetsCommand, type Route53Client } from "@aws-sdk/client-route-53";
import { pickSet, podsNeeded, sharesOf } from "./provisioning.ts";

export interface WeightedTarget {
  /** The URL a request to this set (cluster) goes to. */
  url: string;
  /** Its Ready pods of the HPA's workload, now. */
  ready: () => number;
}

export interface RequestRecord {
  at: number;
  cluster: string;
  /** HTTP status; 0 when no answer came (refused, reset, timed out). */
  status: number;
  latencyMs: number;
  /** The cluster's share of requests when this one was sent, the pods that share needs and those Ready. */
  share: number;
  need: number;
  ready: number;
  underProvisioned: boolean;
}

export interface WeightedLoadOptions {
  route53: Route53Client;
  hostedZoneId: string;
  recordName: string;
  /** Keyed by SetIdentifier (the clusters' names). */
  targets: Record<string, WeightedTarget>;
  /** D: the replicas serving the whole load at the HPA's target (blue's, at steady state before the upgrade). */
  steadyStateReplicas: number;
  /** Parallel clients, each pausing `paceMs` between requests: a steady load, not a benchmark. */
  concurrency?: number;
  paceMs?: number;
  pollMs?: number;
  onWeights?: (weights: Record<string, number>) => void;
}

/** A request failed when no answer came or the answer was not a success (2xx or 3xx). */
export const failed = (r: RequestRecord) => r.status === 0 || r.status >= 400;

async function readWeights(options: WeightedLoadOptions): Promise<Record<string, number>> {
  const { ResourceRecordSets = [] } = await options.route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: options.hostedZoneId,
      StartRecordName: options.recordName,
      StartRecordType: "A",
    }),
  );
  const sets = ResourceRecordSets.filter(
    (s) => s.Name === options.recordName && s.Type === "A" && s.Weight !== undefined && s.SetIdentifier,
  );
  return Object.fromEntries(sets.map((s) => [s.SetIdentifier as string, s.Weight as number]));
}

export async function startWeightedLoad(options: WeightedLoadOptions) {
  const records: RequestRecord[] = [];
  let weights = await readWeights(options);
  let shares = sharesOf(weights);
  // Counted since the weights last changed: a new split is met from its first requests, not averaged in.
  let sent: Record<string, number> = {};
  let running = true;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const applyWeights = (next: Record<string, number>) => {
    if (JSON.stringify(next) === JSON.stringify(weights)) return;
    weights = next;
    shares = sharesOf(next);
    sent = {};
    options.onWeights?.(next);
  };
  const poller = (async () => {
    while (running) {
      await sleep(options.pollMs ?? 250);
      // A failed read keeps the last answer, as a resolver keeps its cache.
      applyWeights(await readWeights(options).catch(() => weights));
    }
  })();
  const client = async () => {
    while (running) {
      const cluster = pickSet(shares, sent);
      const target = options.targets[cluster];
      sent[cluster] = (sent[cluster] ?? 0) + 1;
      if (!target) {
        // A set with no ad server here (or none with a share): its turn passes, the others keep theirs.
        await sleep(50);
        continue;
      }
      const share = shares[cluster] ?? 0;
      const ready = target.ready();
      const need = podsNeeded(share, options.steadyStateReplicas);
      const at = Date.now();
      const t0 = performance.now();
      let status = 0;
      try {
        const response = await fetch(target.url, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0;
      }
      records.push({
        at,
        cluster,
        status,
        latencyMs: performance.now() - t0,
        share,
        need,
        ready,
        underProvisioned: ready < need,
      });
      await sleep(options.paceMs ?? 20);
    }
  };
  const clients = Array.from({ length: options.concurrency ?? 4 }, client);
  return {
    records,
    weights: () => weights,
    async stop(): Promise<RequestRecord[]> {
      running = false;
      await Promise.all([poller, ...clients]);
      return records;
    },
  };
}

export type WeightedLoad = Awaited<ReturnType<typeof startWeightedLoad>>;
