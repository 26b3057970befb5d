import { createHash, randomUUID } from "node:crypto";
import { type KubeApi, KubernetesApiError } from "./api.ts";
import type { ObjectMeta } from "./wire.ts";

/**
 * Turns at evicting under one PodDisruptionBudget, taken by Harbormaster's execution environments through
 * one coordination.k8s.io Lease per budget.
 *
 * Why: the apiserver charges a budget with a read-modify-write of its status and answers a conflict by
 * sleeping 500 ms and trying again. In one environment the evictions under a budget already go one at a
 * time; but an AZ loss spreads its warnings over several environments, and with five or more of them
 * evicting under the same budgets an eviction took 2 s at the median, against 0.5 s with one (measured with
 * the interruption benchmark). A turn makes one environment at a time evict under a budget.
 *
 * A turn only orders the environments: the Eviction API still has the last word, so an expired turn or one
 * that could not be taken costs speed, never safety. Where Leases cannot be used (no namespace, no RBAC),
 * turns switch themselves off and every eviction goes, as before.
 */
export interface BudgetTurnsOptions {
  namespace: string;
  /** Who holds the turns: unique per execution environment. */
  holder?: string;
  /** How long one environment keeps a budget before it lets another have it. */
  turnMs?: number;
  /** How long a turn outlives an environment that stopped without giving it back (a frozen Lambda). */
  leaseSeconds?: number;
  now?: () => number;
  random?: () => number;
}

export type Turn = { ours: true } | { ours: false; holder: string };

interface WireLease {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string };
}

type State =
  | { kind: "held"; resourceVersion: string; until: number }
  /** Someone else's (or just given away): not asked again before `until`. */
  | { kind: "waiting"; holder: string; until: number };

export class BudgetTurns {
  readonly holder: string;
  private readonly api: KubeApi;
  private readonly namespace: string;
  private readonly turnMs: number;
  private readonly leaseSeconds: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly states = new Map<string, State>();
  private disabled = false;

  constructor(api: KubeApi, options: BudgetTurnsOptions) {
    this.api = api;
    this.namespace = options.namespace;
    this.holder = options.holder ?? `harbormaster-${randomUUID()}`;
    this.turnMs = options.turnMs ?? 8_000;
    this.leaseSeconds = options.leaseSeconds ?? 15;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Whether this environment may evict under `budget` now; takes the turn when it is free or expired. */
  async take(budget: string): Promise<Turn> {
    if (this.disabled) return { ours: true };
    const now = this.now();
    const state = this.states.get(budget);
    if (state?.kind === "held") {
      if (now < state.until) return { ours: true };
      // The turn is over: give the others a chance before taking it again.
      await this.giveBack(budget, state.resourceVersion);
      return this.wait(budget, this.holder, now + this.yieldMs());
    }
    if (state && now < state.until) return { ours: false, holder: state.holder };
    try {
      return await this.acquire(budget, now);
    } catch (error) {
      if (error instanceof KubernetesApiError && error.code === 409)
        return this.wait(budget, "another drain", now + this.yieldMs());
      // No namespace or no RBAC for Leases: evict without turns rather than not at all.
      if (error instanceof Unusable || (error instanceof KubernetesApiError && error.code === 403))
        this.disabled = true;
      return { ours: true };
    }
  }

  /** Done with `budget` for now (nothing queued under it here): the turn goes back at once. */
  async release(budget: string): Promise<void> {
    const state = this.states.get(budget);
    if (state?.kind !== "held") return;
    this.states.delete(budget);
    await this.giveBack(budget, state.resourceVersion);
  }

  /** Gives back every turn held here. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.states.keys()].map((budget) => this.release(budget)));
  }

  private async acquire(budget: string, now: number): Promise<Turn> {
    const path = this.leasePath(budget);
    const current = await this.api.send<WireLease>("GET", path, { timeoutMs: 5_000 }).catch(ignoreNotFound);
    const holder = current?.spec?.holderIdentity;
    if (current && holder && holder !== this.holder && !this.expired(current, now))
      return this.wait(budget, holder, Math.min(this.expiresAt(current), now + this.recheckMs()));
    const lease = this.lease(budget, now, current?.metadata?.resourceVersion);
    const taken = current
      ? await this.api.send<WireLease>("PUT", path, { body: lease, timeoutMs: 5_000 })
      : await this.api
          .send<WireLease>("POST", this.leasesPath(), { body: lease, timeoutMs: 5_000 })
          .catch((error: unknown) => {
            // Creating in a namespace that does not exist.
            throw error instanceof KubernetesApiError && error.code === 404 ? new Unusable(error.message) : error;
          });
    this.states.set(budget, {
      kind: "held",
      resourceVersion: taken.metadata?.resourceVersion ?? "",
      until: now + this.turnMs,
    });
    return { ours: true };
  }

  private async giveBack(budget: string, resourceVersion: string): Promise<void> {
    const free: WireLease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: leaseName(budget), namespace: this.namespace, resourceVersion },
      spec: { leaseDurationSeconds: this.leaseSeconds },
    };
    // A conflict means someone took it already; anything else lets the lease expire by itself.
    await this.api.send("PUT", this.leasePath(budget), { body: free, timeoutMs: 5_000 }).catch(() => {});
  }

  private wait(budget: string, holder: string, until: number): Turn {
    this.states.set(budget, { kind: "waiting", holder, until });
    return { ours: false, holder };
  }

  private lease(budget: string, now: number, resourceVersion: string | undefined): WireLease {
    const time = microTime(now);
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: leaseName(budget),
        namespace: this.namespace,
        labels: { "app.kubernetes.io/managed-by": "harbormaster" },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      spec: {
        holderIdentity: this.holder,
        leaseDurationSeconds: this.leaseSeconds,
        acquireTime: time,
        renewTime: time,
      },
    };
  }

  private expired(lease: WireLease, now: number): boolean {
    return this.expiresAt(lease) <= now;
  }

  private expiresAt(lease: WireLease): number {
    const renewed = Date.parse(lease.spec?.renewTime ?? "");
    if (Number.isNaN(renewed)) return 0;
    return renewed + (lease.spec?.leaseDurationSeconds ?? this.leaseSeconds) * 1000;
  }

  // Random, so that environments waiting for the same budget do not all ask at the same moment.
  private yieldMs(): number {
    return 200 + Math.round(400 * this.random());
  }

  // A held turn is asked about again this often: every environment waits on every busy budget, so asking
  // every few hundred milliseconds would load the apiserver more than the evictions do.
  private recheckMs(): number {
    return Math.round(this.turnMs / 8 + (this.turnMs / 8) * this.random());
  }

  private leasesPath(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/leases`;
  }

  private leasePath(budget: string): string {
    return `${this.leasesPath()}/${encodeURIComponent(leaseName(budget))}`;
  }
}

class Unusable extends Error {}

function ignoreNotFound(error: unknown): undefined {
  if (error instanceof KubernetesApiError && error.code === 404) return undefined;
  throw error;
}

/** `pdb.<namespace>.<name>`: a valid object name, hashed when the two together are too long for one. */
export function leaseName(budget: string): string {
  const name = `pdb.${budget.replace("/", ".")}`;
  if (name.length <= 253) return name;
  return `pdb.${createHash("sha256").update(budget).digest("hex").slice(0, 40)}`;
}

// Lease times are MicroTime: RFC 3339 with exactly six fractional digits.
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
