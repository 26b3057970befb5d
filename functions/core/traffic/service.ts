// Runs a command against Route53: read, decide, compare-and-swap, schedule, announce. Every run re-reads.
import type { Clock, MetricsPort, NotifierPort } from "../ports.ts";
import { busyUpgrade } from "../upgrade/phases.ts";
import type { DeployNotice, TrafficCommand } from "./commands.ts";
import type { TrafficDomain } from "./domain.ts";
import { ConcurrentModification } from "./errors.ts";
import { manualShift } from "./manual-shift.ts";
import type { RolloutMetadata } from "./metadata.ts";
import type { TrafficNotification } from "./notifications.ts";
import type { AlarmsPort, StepSchedulerPort, StepTicket, TrafficRecordsPort } from "./ports.ts";
import { rolloutIdFor } from "./rollout-id.ts";
import {
  type Announcement,
  abort,
  advance,
  type Context,
  type Decision,
  drifted,
  isActive,
  pause,
  promote,
  resume,
  rollback,
  type Subject,
  start,
  unsafeRecords,
} from "./transitions.ts";
import { assertWritable } from "./weights.ts";

export interface TrafficDeps {
  domains: readonly TrafficDomain[];
  records: TrafficRecordsPort;
  alarms: AlarmsPort;
  scheduler: StepSchedulerPort;
  notifier: NotifierPort;
  metrics: MetricsPort;
  clock: Clock;
  log: { info(message: string, fields: Record<string, unknown>): void };
  /** Reads and decides again when a swap loses a race; a rollout command is never lost to one. */
  casAttempts: number;
}

export interface Outcome {
  domain: string;
  result: string;
}

type Decide = (ctx: Context) => Decision;

export async function handleCommand(deps: TrafficDeps, command: TrafficCommand): Promise<Outcome[]> {
  deps.metrics.count("TrafficCommands", { kind: command.kind });
  switch (command.kind) {
    case "step":
      return forDomains(deps, named(deps, command.ticket.domain), (ctx) => step(ctx, command.ticket), true);
    case "alarm": {
      const gated = deps.domains.filter((d) => d.alarms.includes(command.alarmName));
      const outcomes = await forDomains(deps, gated, (ctx) => onAlarm(ctx, command.alarmName, command.reason), false);
      const rolledBack = outcomes.filter((o) => o.result === "rolled_back").length;
      if (rolledBack > 0) deps.metrics.latency("AlarmToRollback", deps.clock.now() - command.at);
      return outcomes;
    }
    case "control": {
      const { action, actor } = command;
      if (action === "shift") return shift(deps, command);
      const reason = command.reason ?? `${action} by ${actor ?? "an operator"}`;
      return forDomains(
        deps,
        named(deps, command.domain),
        (ctx) => control(ctx, action, reason, actor),
        action === "resume",
      );
    }
    case "deploy":
      return deploy(deps, command.deploy);
  }
}

/** A domain by its short name, or by its record name (what a person types in Slack). */
function named(deps: TrafficDeps, name: string): TrafficDomain[] {
  const record = `${name.toLowerCase().replace(/\.$/, "")}.`;
  return deps.domains.filter((d) => d.name === name || d.recordName === record);
}

function shift(deps: TrafficDeps, command: Extract<TrafficCommand, { kind: "control" }>): Promise<Outcome[]> {
  const percent = command.percent ?? 0;
  const by = command.actor ?? "an operator";
  const reason = `shifted to ${percent}% by ${by}${command.reason ? ` (${command.reason})` : ""}`;
  // The alarms are read for the bake time only: a person's shift is not gated (it may be moving traffic away).
  return forDomains(
    deps,
    named(deps, command.domain),
    (ctx) =>
      manualShift(ctx, {
        percent,
        target: command.target,
        actor: command.actor,
        reason,
        rolloutId: rolloutIdFor(ctx.domain.name, command.eventId ?? `${by}/${ctx.now}`),
      }),
    true,
  );
}

function step(ctx: Context, ticket: StepTicket): Decision {
  const m = ctx.snapshot.metadata;
  if (m?.rolloutId !== ticket.rolloutId || m.revision !== ticket.revision || m.status !== "running") {
    return { kind: "none", why: "stale step: the rollout moved on", metadata: m, announce: [] };
  }
  return guarded(ctx, m, () => advance(ctx, m));
}

function onAlarm(ctx: Context, alarm: string, reason: string): Decision {
  const m = ctx.snapshot.metadata;
  if (!isActive(m)) return { kind: "none", why: "no active rollout", metadata: m, announce: [] };
  return guarded(ctx, m, () => rollback(ctx, m, `alarm ${alarm} went to ALARM: ${reason}`, alarm));
}

function control(ctx: Context, action: string, reason: string, actor?: string): Decision {
  const m = ctx.snapshot.metadata;
  if (!isActive(m)) return { kind: "none", why: `no active rollout to ${action}`, metadata: m, announce: [] };
  if (action === "abort") return abort(ctx, m, reason, actor); // releases the domain even when drifted
  return guarded(ctx, m, () =>
    action === "pause"
      ? pause(ctx, m, reason, actor)
      : action === "resume"
        ? resume(ctx, m, actor)
        : promote(ctx, m, actor),
  );
}

/** Records changed behind the rollout's back: touch nothing, tell people. */
function guarded(ctx: Context, m: RolloutMetadata, decide: () => Decision): Decision {
  const unsafe = unsafeRecords(ctx.domain, ctx.snapshot);
  const reason = unsafe ?? (drifted(ctx.snapshot, m) ? "weights were changed outside the rollout" : undefined);
  if (reason) return { kind: "none", why: reason, metadata: m, announce: [{ type: "rollout_conflict", reason }] };
  return decide();
}

async function deploy(deps: TrafficDeps, notice: DeployNotice): Promise<Outcome[]> {
  const domains = deps.domains.filter((d) => d.applications.includes(notice.application));
  const starts = notice.status === "succeeded" && notice.target ? domains : [];
  const outcomes = await forDomains(
    deps,
    starts,
    (ctx) => start(ctx, rolloutIdFor(ctx.domain.name, notice.id), notice.target as string, notice.revision),
    true,
  );
  const started = starts.find((_domain, i) => outcomes[i]?.result === "running" || outcomes[i]?.result === "paused");
  const rolloutId = started ? rolloutIdFor(started.name, notice.id) : undefined;
  const threadKey =
    started && rolloutId
      ? threadOf(started.name, rolloutId)
      : `deploy/${notice.application}/${notice.revision ?? notice.id}`;
  const { id: _id, ...fields } = notice;
  await deps.notifier.publish({
    type: "deploy_event",
    ...fields,
    domain: started?.name,
    rolloutId,
    threadKey,
    dedupeKey: `deploy/${notice.source}/${notice.id}`,
    at: new Date(deps.clock.now()).toISOString(),
  });
  return outcomes.length > 0 ? outcomes : [{ domain: "-", result: "notified" }];
}

async function forDomains(
  deps: TrafficDeps,
  domains: readonly TrafficDomain[],
  decide: Decide,
  gates: boolean,
): Promise<Outcome[]> {
  return Promise.all(domains.map((domain) => run(deps, domain, (ctx) => leftToUpgrade(ctx) ?? decide(ctx), gates)));
}

/** A cluster upgrade owns the domain: its engine steps, gates and rolls back; traffic commands write nothing. */
function leftToUpgrade(ctx: Context): Decision | undefined {
  const upgrade = busyUpgrade(ctx.snapshot.metadata);
  if (!upgrade) return undefined;
  return { kind: "none", why: `upgrade ${upgrade} owns ${ctx.domain.name}: use its upgrade commands`, announce: [] };
}

async function run(deps: TrafficDeps, domain: TrafficDomain, decide: Decide, gates: boolean): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const [snapshot, alarms] = await Promise.all([
      deps.records.read(domain),
      // A rollback needs no gate: it must not wait for CloudWatch.
      gates && domain.alarms.length > 0 ? deps.alarms.describe(domain.alarms) : Promise.resolve([]),
    ]);
    const ctx: Context = { domain, snapshot, alarms, now: deps.clock.now() };
    const decision = decide(ctx);
    if (decision.kind === "none") {
      deps.log.info("traffic: nothing written", { domain: domain.name, why: decision.why });
      await announce(deps, domain, decision.metadata ?? decision.subject, decision.announce);
      await keepScheduled(deps, domain, decision.metadata);
      return { domain: domain.name, result: "unchanged" };
    }
    assertWritable(decision.weights);
    try {
      await deps.records.swap(domain, snapshot, decision.weights, decision.metadata);
    } catch (error) {
      if (!(error instanceof ConcurrentModification)) throw error;
      deps.metrics.count("TrafficConflicts", { domain: domain.name });
      if (attempt < deps.casAttempts) continue;
      const reason = `the records kept changing under the rollout: ${error.message}`;
      await announce(deps, domain, decision.metadata, [{ type: "rollout_conflict", reason }]);
      return { domain: domain.name, result: "conflict" };
    }
    deps.metrics.count("TrafficWrites", { domain: domain.name, status: decision.metadata.status });
    const previous = snapshot.metadata;
    if (previous && previous.rolloutId === decision.metadata.rolloutId && previous.status === "running") {
      await deps.scheduler.cancel(ticketOf(domain, previous)).catch(() => undefined);
    }
    await keepScheduled(deps, domain, decision.metadata);
    await announce(deps, domain, decision.metadata, decision.announce);
    return { domain: domain.name, result: decision.metadata.status };
  }
}

/** A running rollout always has a schedule for its revision; ensuring it again is harmless. */
async function keepScheduled(deps: TrafficDeps, domain: TrafficDomain, m: RolloutMetadata | undefined) {
  if (m?.status !== "running") return;
  await deps.scheduler.schedule(ticketOf(domain, m), Math.max(m.bakeUntil, deps.clock.now()));
}

function ticketOf(domain: TrafficDomain, m: RolloutMetadata): StepTicket {
  return { domain: domain.name, rolloutId: m.rolloutId, revision: m.revision };
}

export function threadOf(domain: string, rolloutId: string): string {
  return `traffic/${domain}/${rolloutId}`;
}

async function announce(
  deps: TrafficDeps,
  domain: TrafficDomain,
  subject: Subject | undefined,
  announcements: readonly Announcement[],
) {
  const rolloutId = subject?.rolloutId ?? "none";
  const threadKey = threadOf(domain.name, rolloutId);
  for (const a of announcements) {
    const notification = {
      ...a,
      domain: domain.name,
      rolloutId,
      target: subject?.target ?? "",
      threadKey,
      dedupeKey: `${threadKey}/${subject && "revision" in subject ? subject.revision : 0}/${a.type}`,
      at: new Date(deps.clock.now()).toISOString(),
    } as TrafficNotification;
    await deps.notifier.publish(notification);
  }
}
