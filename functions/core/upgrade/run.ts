// The upgrade's compare-and-swap loop on the domain's records (the traffic core's port and metadata):
// read, decide, swap, schedule the next check, announce. A lost race reads and decides again.
import type { TrafficDomain } from "../traffic/domain.ts";
import { ConcurrentModification } from "../traffic/errors.ts";
import type { RolloutMetadata } from "../traffic/metadata.ts";
import type { DomainSnapshot } from "../traffic/ports.ts";
import type { Context } from "../traffic/transitions.ts";
import { assertWritable, type Weights } from "../traffic/weights.ts";
import type { UpgradeDefinition } from "./definition.ts";
import type { UpgradeDeps, UpgradeOutcome } from "./deps.ts";
import type { UpgradeBase, UpgradeNotification } from "./notifications.ts";
import { pendingPhases, phaseOf, threadOfUpgrade, trafficPhases } from "./phases.ts";

/** A notification before the run adds the upgrade, its sides, the thread and the time. */
export type UpgradeAnnouncement = UpgradeNotification extends infer N
  ? N extends UpgradeNotification
    ? Omit<N, keyof UpgradeBase>
    : never
  : never;

export interface RunContext {
  deps: UpgradeDeps;
  up: UpgradeDefinition;
  domain: TrafficDomain;
  snapshot: DomainSnapshot;
  now: number;
}

export type UpgradeDecision =
  /** Write in one batch; `again`: the new state has work to do now (a release, a rollback's settling). */
  | { kind: "write"; weights: Weights; metadata: RolloutMetadata; announce: UpgradeAnnouncement[]; again?: boolean }
  /** Write nothing; the run named by `metadata` (or `rolloutId`, a refused start) may still hear why. */
  | { kind: "none"; why: string; metadata?: RolloutMetadata; rolloutId?: string; announce: UpgradeAnnouncement[] };

export type Decide = (ctx: RunContext) => Promise<UpgradeDecision>;

export const none = (
  why: string,
  metadata?: RolloutMetadata,
  announce: UpgradeAnnouncement[] = [],
): UpgradeDecision => ({
  kind: "none",
  why,
  metadata,
  announce,
});

/** The traffic core's transition context, so its `next` (revision bump) and gates apply unchanged. */
export function trafficContext(ctx: RunContext): Context {
  return { domain: ctx.domain, snapshot: ctx.snapshot, alarms: [], now: ctx.now };
}

const maxRounds = 4;

/** Runs `first`; while a write says `again`, runs `then` on the state it wrote (bounded). */
export async function runUpgrade(
  deps: UpgradeDeps,
  up: UpgradeDefinition,
  first: Decide,
  then: (written: RolloutMetadata) => Decide,
): Promise<UpgradeOutcome> {
  const domain = deps.domains.find((d) => d.name === up.domain);
  if (!domain) throw new Error(`upgrade ${up.name}: domain ${up.domain} is not configured`);
  let decide = first;
  let result = "unchanged";
  for (let round = 0, attempt = 1; round < maxRounds; attempt++) {
    const snapshot = await deps.records.read(domain);
    const ctx: RunContext = { deps, up, domain, snapshot, now: deps.clock.now() };
    const decision = await decide(ctx);
    if (decision.kind === "none") {
      deps.log.info("upgrade: nothing written", { upgrade: up.name, why: decision.why });
      const rolloutId = decision.metadata?.rolloutId ?? decision.rolloutId;
      if (rolloutId) await announce(ctx, rolloutId, decision.metadata?.revision ?? 0, decision.announce);
      if (decision.metadata?.upgrade === up.name) await keepScheduled(ctx, decision.metadata);
      return { domain: domain.name, upgrade: up.name, result: round === 0 ? "unchanged" : result };
    }
    assertWritable(decision.weights);
    try {
      await deps.records.swap(domain, snapshot, decision.weights, decision.metadata);
    } catch (error) {
      if (!(error instanceof ConcurrentModification)) throw error;
      deps.metrics.count("UpgradeConflicts", { upgrade: up.name });
      if (attempt < deps.casAttempts) continue;
      throw error; // redelivered: the next read decides again
    }
    const m = decision.metadata;
    deps.metrics.count("UpgradeWrites", { upgrade: up.name, phase: m.phase ?? m.status });
    await keepScheduled(ctx, m);
    const swapMs = deps.clock.now() - ctx.now;
    const timed = decision.announce.map((a) => (a.type === "upgrade_step" ? { ...a, stepMs: a.stepMs + swapMs } : a));
    await announce(ctx, m.rolloutId, m.revision, timed);
    result = m.phase ?? m.status;
    if (!decision.again) break;
    decide = then(m);
    round++;
    attempt = 0;
  }
  return { domain: domain.name, upgrade: up.name, result };
}

/** When a state with work left should be looked at again; undefined when it waits for a person. */
export function nextCheckAt(m: RolloutMetadata, now: number, pollSeconds: number): number | undefined {
  const phase = phaseOf(m);
  if (!phase || !pendingPhases.includes(phase)) return undefined;
  if (trafficPhases.includes(phase) && m.status !== "running") return undefined;
  if ((phase === "baking" || phase === "final-bake") && m.bakeUntil > now) return m.bakeUntil;
  // On a grid, so two deliveries asking for the next look in the same interval make one schedule.
  const period = pollSeconds * 1000;
  return Math.ceil((now + period) / period) * period;
}

async function keepScheduled(ctx: RunContext, m: RolloutMetadata): Promise<void> {
  const at = nextCheckAt(m, ctx.deps.clock.now(), ctx.deps.pollSeconds);
  if (at === undefined) return;
  await ctx.deps.scheduler.schedule({ upgrade: ctx.up.name, rolloutId: m.rolloutId, revision: m.revision }, at);
}

export async function announce(
  ctx: Pick<RunContext, "deps" | "up">,
  rolloutId: string,
  revision: number,
  announcements: readonly UpgradeAnnouncement[],
): Promise<void> {
  const { deps, up } = ctx;
  const threadKey = threadOfUpgrade(up.name, rolloutId);
  for (const a of announcements) {
    const notification = {
      ...a,
      upgrade: up.name,
      rolloutId,
      blue: up.blue.cluster,
      green: up.green.cluster,
      threadKey,
      dedupeKey: `${threadKey}/${revision}/${a.type}`,
      at: new Date(deps.clock.now()).toISOString(),
    } as UpgradeNotification;
    await deps.notifier.publish(notification);
  }
}
