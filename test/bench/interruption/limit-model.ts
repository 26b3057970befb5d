// The fastest possible drain of N lost nodes × 30 pods, 30 Deployments of N replicas, each under a budget of
// maxUnavailable 10%, from the terms limit.ts measures. See docs/interruptions-at-scale.md.

export interface LimitTerms {
  waves: {
    /** disruptionsAllowed of one budget at rest (measured with `replicas` pods). */
    slots: number;
    /** One eviction, accepted, with one writer (ms, p50). */
    evictionP50: number;
    /** The wave's last eviction accepted → the budget allows as many again (ms, p50). */
    slotBackP50: number;
    /** A wave: its first eviction → the budget full again (ms, p50). */
    waveP50?: number;
  };
  /** One budget, one writer: evictions per second. */
  oneWriter: { perSecond: number };
  /** One budget, many writers at once. */
  manyWriters: { perSecond: number };
  /** Many budgets, one writer each, at once: the apiserver's rate over all. */
  acrossBudgets: { perSecond: number };
}

export const deployments = 30;

/** The three bounds, in seconds: budget waves, one budget's eviction rate, the apiserver's rate over all. */
export function bounds(terms: LimitTerms, nodes: number, perBudgetRate = terms.oneWriter.perSecond) {
  const replicas = nodes; // 30 pods a node, 30 Deployments: each Deployment has one pod per node on average
  const slots = Math.ceil(replicas * 0.1); // maxUnavailable rounds up
  const waves = Math.ceil(replicas / slots);
  const cycleS = (terms.waves.waveP50 ?? terms.waves.evictionP50 + terms.waves.slotBackP50) / 1000;
  return {
    slots,
    waves,
    // The last wave needs only its evictions accepted, not its slots back.
    wavesS: (waves - 1) * cycleS + terms.waves.evictionP50 / 1000,
    budgetRateS: replicas / perBudgetRate,
    apiserverS: (deployments * replicas) / terms.acrossBudgets.perSecond,
  };
}

/** The limit: the slowest of the bounds (each holds whatever the others allow). */
export function limitSeconds(terms: LimitTerms, nodes: number, perBudgetRate?: number): number {
  const b = bounds(terms, nodes, perBudgetRate);
  return Math.max(b.wavesS, b.budgetRateS, b.apiserverS);
}
