// When a cluster is under-provisioned for the traffic it gets, by the HPA's own measure. D is the number of
// replicas that serve the whole load at the HPA's target utilisation: what the HPA settles on at steady
// state (ceil(total CPU used / (target utilisation × each pod's request))), i.e. blue's replicas before the
// upgrade. A cluster that gets a share s of the requests needs ceil(s × D) Ready pods of the HPA's workload
// to run them at or under the target; with fewer, each pod runs hotter than the target the HPA was set to
// protect, and a spike tips it over (seed 004). A request counts as under-provisioned when the cluster it
// reached had fewer Ready pods than that at the moment it was sent.

/** The pods a cluster needs for its share of the load; no share, no need. */
export function podsNeeded(share: number, steadyStateReplicas: number): number {
  if (share <= 0) return 0;
  // A float share (e.g. 0.3 × 10 = 3.0000000000000004) must not ask for one pod more than the arithmetic.
  return Math.ceil(Number((share * steadyStateReplicas).toFixed(9)));
}

export function underProvisioned(readyPods: number, share: number, steadyStateReplicas: number): boolean {
  return readyPods < podsNeeded(share, steadyStateReplicas);
}

/**
 * Each set's share of the requests as Route53 answers weighted records: weight / sum of weights, so a set
 * at 0 gets nothing while another is above 0; when every weight is 0, Route53 answers each set equally.
 */
export function sharesOf(weights: Readonly<Record<string, number>>): Record<string, number> {
  const ids = Object.keys(weights);
  const total = ids.reduce((sum, id) => sum + Math.max(0, weights[id] ?? 0), 0);
  return Object.fromEntries(
    ids.map((id) => [id, total === 0 ? 1 / ids.length : Math.max(0, weights[id] ?? 0) / total]),
  );
}

/**
 * The next request's set: the one furthest below its share of the requests sent so far. Deterministic, so
 * a run sends exactly its shares (a random pick would drift by √n), and a set at share 0 is never picked.
 */
export function pickSet(shares: Readonly<Record<string, number>>, sent: Readonly<Record<string, number>>): string {
  const total = Object.values(sent).reduce((a, b) => a + b, 0) + 1;
  let best = "";
  let bestDeficit = Number.NEGATIVE_INFINITY;
  for (const [id, share] of Object.entries(shares)) {
    if (share <= 0) continue;
    const deficit = share * total - (sent[id] ?? 0);
    if (deficit > bestDeficit) {
      best = id;
      bestDeficit = deficit;
    }
  }
  return best;
}
