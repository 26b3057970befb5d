import { KeyedLimiter } from "../../core/concurrency.ts";
import type { PodInfo } from "../../core/ports.ts";
import type { KubeApi } from "./api.ts";
import type { LabelSelector, List, WireBudget } from "./wire.ts";

interface Budget {
  namespace: string;
  name: string;
  /** Absent: in policy/v1 a budget without a selector selects no pod. */
  selector: LabelSelector | undefined;
  allowed: number;
  status: string;
}

/**
 * A short-lived view of every PodDisruptionBudget, shared by all drains in this process. An eviction the
 * view already knows a budget would refuse is not sent: during an AZ loss, thousands of doomed requests
 * a second would only slow the apiserver that has to let the others through. Evictions still go through
 * the Eviction API, which has the last word; the view only skips the certain 429s.
 */
export class BudgetView {
  private readonly api: KubeApi;
  private readonly ttlMs: number;
  private budgets: Budget[] = [];
  private readAt = 0;
  private reading: Promise<void> | undefined;
  private readonly gate = new KeyedLimiter(1);

  constructor(api: KubeApi, ttlMs = 1_000) {
    this.api = api;
    this.ttlMs = ttlMs;
  }

  /**
   * The budget that would refuse this pod right now, if the view knows one. Only running, ready pods are
   * judged: the apiserver evicts pending, finished, terminating and (under AlwaysAllow) unready pods
   * whatever the budget says, so those always go to it.
   */
  async refusing(pod: PodInfo): Promise<Budget | undefined> {
    if (!pod.ready || pod.terminating) return undefined;
    if (Date.now() - this.readAt > this.ttlMs) await this.refresh();
    return this.covering(pod).find((b) => b.allowed <= 0);
  }

  /**
   * Runs an eviction of `pod` in its budget's queue: one at a time per budget in this process. The
   * apiserver charges a budget with a read-modify-write of its status and answers a conflict by sleeping
   * 500 ms and trying again; a hundred drains evicting under one budget at once turn that into seconds
   * per eviction, and into timeouts. Queued here, each eviction goes when the one before has landed and
   * is checked against the view again first, so it is not even sent when the budget has run out.
   */
  async queued<T>(pod: PodInfo, evict: () => Promise<T>): Promise<T> {
    if (!pod.ready || pod.terminating) return evict();
    if (Date.now() - this.readAt > this.ttlMs) await this.refresh();
    const budget = this.covering(pod)[0];
    return budget ? this.gate.run(`${budget.namespace}/${budget.name}`, evict) : evict();
  }

  /** An eviction went through: the budgets covering the pod have one disruption fewer to give. */
  spent(pod: PodInfo): void {
    for (const budget of this.covering(pod)) budget.allowed--;
  }

  /** The apiserver refused: trust it over the view until the next read. */
  exhausted(pod: PodInfo): void {
    for (const budget of this.covering(pod)) budget.allowed = 0;
  }

  private covering(pod: PodInfo): Budget[] {
    return this.budgets.filter((b) => b.namespace === pod.namespace && b.selector && matches(b.selector, pod.labels));
  }

  private refresh(): Promise<void> {
    this.reading ??= this.api
      .send<List<WireBudget>>("GET", "/apis/policy/v1/poddisruptionbudgets", { timeoutMs: 10_000 })
      .then((list) => {
        this.budgets = list.items.map(toBudget);
        this.readAt = Date.now();
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}

function toBudget(pdb: WireBudget): Budget {
  const s = pdb.status;
  return {
    namespace: pdb.metadata?.namespace ?? "",
    name: pdb.metadata?.name ?? "",
    selector: pdb.spec?.selector,
    // A budget the disruption controller has not processed yet allows nothing (the apiserver agrees).
    allowed: s && s.observedGeneration === pdb.metadata?.generation ? (s.disruptionsAllowed ?? 0) : 0,
    status: s ? `needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy}` : "not processed yet",
  };
}

/** Label selector semantics as the apiserver applies them; an empty selector matches every pod. */
export function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    const ok =
      expression.operator === "In"
        ? value !== undefined && values.includes(value)
        : expression.operator === "NotIn"
          ? value === undefined || !values.includes(value)
          : expression.operator === "Exists"
            ? value !== undefined
            : value === undefined;
    if (!ok) return false;
  }
  return true;
}
