import type { Clock, MetricsPort, NotifierPort } from "../ports.ts";
import { floorLevels } from "./floor.ts";
import { freeCapacity, headroomUnits } from "./headroom.ts";
import { type Hold, type HoldState, holdKey, type Levels, parseState, withHold, withRelease } from "./holds.ts";
import type { HeadroomReport, KeptLevel, PrescalingNotification, RaisedTarget } from "./notifications.ts";
import type { Policy } from "./policy.ts";
import type { ObjectRef, PrescalingClusterPort, Scalable, ScalableWrite } from "./ports.ts";
import { bytes, millicores } from "./quantity.ts";
import { type Reconciled, reconcile, stateOrNew } from "./reconcile.ts";

export interface PrescalerDeps {
  cluster: PrescalingClusterPort;
  notifier: NotifierPort;
  metrics: MetricsPort;
  clock: Clock;
  log: { info(message: string, fields: Record<string, unknown>): void };
  /** Where the policies' objects live: the sweep looks there and nowhere else. */
  namespaces: readonly string[];
}

export interface RaiseRequest {
  policy: Policy;
  trigger: string;
  /** When the trigger began (the ALARM's timestamp, the window's ramp start): orders events. */
  since: number;
  expiresAt: number;
  eventId: string;
  /** When the event happened, for the event-to-patch latency. */
  eventAt: number;
}

export interface ReleaseRequest {
  policy: Policy;
  trigger: string;
  eventAt: number;
  restoreAt: number;
  eventId: string;
}

/** Every namespace a policy's targets or headroom live in. */
export function policyNamespaces(policies: readonly Policy[]): string[] {
  const names = policies.flatMap((p) => [
    ...p.targets.map((t) => t.namespace),
    ...(p.headroom ? [p.headroom.namespace] : []),
  ]);
  return [...new Set(names)].sort();
}

type Mutation = (state: HoldState | undefined, current: Scalable) => HoldState | undefined;

/**
 * Raises and restores the levels policies name. Everything it needs to remember lives on the objects it
 * patches; every write is guarded by the resourceVersion it read.
 */
export class Prescaler {
  private readonly deps: PrescalerDeps;
  private readonly namespaces: readonly string[];

  constructor(deps: PrescalerDeps) {
    this.deps = deps;
    this.namespaces = deps.namespaces;
  }

  async raise(request: RaiseRequest): Promise<void> {
    const { policy, trigger, since } = request;
    const thread = `prescaling:${policy.name}:${trigger}:${since}`;
    const base = { policy: policy.name, trigger, since, expiresAt: request.expiresAt, thread };
    const failures: unknown[] = [];

    const targets: RaisedTarget[] = [];
    for (const target of policy.targets) {
      try {
        const ref = await this.deps.cluster.resolve(target);
        if (!ref) {
          targets.push({ target, changes: [], error: "not found" });
          continue;
        }
        let capped: RaisedTarget["capped"];
        const result = await this.apply(ref, request.eventId, (state, current) => {
          const existing = state?.holds[holdKey(policy.name, trigger)];
          const started = stateOrNew(state, current.levels, current.replicas);
          const rule = policy.floor ?? { mode: "add" as const, replicas: 1 };
          const max = current.levels.max ?? Number.POSITIVE_INFINITY;
          const decision = existing
            ? { levels: existing.levels }
            : floorLevels(rule, started.baseReplicas, max, policy.maxReplicas);
          capped = "capped" in decision ? decision.capped : undefined;
          return withHold(started, { ...base, levels: decision.levels });
        });
        if (capped) this.deps.metrics.count("PrescalingCapped", { policy: policy.name });
        targets.push({ target, object: ref, changes: result?.changes ?? [], capped });
      } catch (error) {
        failures.push(error);
        targets.push({ target, changes: [], error: errorText(error) });
      }
    }

    let headroom: HeadroomReport | undefined;
    if (policy.headroom) {
      try {
        headroom = await this.raiseHeadroom(policy, base, request.eventId);
      } catch (error) {
        failures.push(error);
      }
    }

    const latency = this.deps.clock.now() - request.eventAt;
    if ([...targets.flatMap((t) => t.changes), ...(headroom?.changes ?? [])].length > 0)
      this.deps.metrics.latency("EventToPatched", latency, { policy: policy.name });
    this.deps.metrics.count("PrescalingRaises", { policy: policy.name });
    await this.notify({
      ...this.envelope(thread, "raised", policy.name, trigger, request.eventId),
      type: "prescale_raised",
      expiresAt: new Date(request.expiresAt).toISOString(),
      targets,
      headroom,
    });
    await this.failed(failures, thread, policy.name, trigger, request.eventId);
  }

  private async raiseHeadroom(
    policy: Policy,
    base: Omit<Hold, "levels">,
    eventId: string,
  ): Promise<HeadroomReport | undefined> {
    const spec = policy.headroom;
    if (!spec) return undefined;
    const unit = { cpuMillis: millicores(spec.unit.cpu), memoryBytes: bytes(spec.unit.memory) };
    const ref = await this.deps.cluster.ensureHeadroom(spec);
    const pool = await this.deps.cluster.headroomPool(spec);
    const wantedUnits = headroomUnits(spec.sizing, unit, pool);
    const result = await this.apply(ref, eventId, (state, current) => {
      const existing = state?.holds[holdKey(policy.name, base.trigger)];
      const started = stateOrNew(state, current.levels, current.replicas);
      return withHold(started, { ...base, levels: existing?.levels ?? { replicas: wantedUnits } });
    });
    const free = freeCapacity(pool, unit);
    return {
      object: ref,
      wantedUnits,
      changes: result?.changes ?? [],
      placeholders: pool.placeholders,
      free,
      shortUnits: Math.max(wantedUnits - free.units, 0),
    };
  }

  /** The trigger has ended: its holds end after the policy's cooldown (at once with no cooldown). */
  async release(request: ReleaseRequest): Promise<void> {
    const { policy, trigger } = request;
    const key = holdKey(policy.name, trigger);
    const refs: ObjectRef[] = [];
    const failures: unknown[] = [];
    for (const target of policy.targets) {
      const ref = await this.deps.cluster.resolve(target).catch((error: unknown) => void failures.push(error));
      if (ref) refs.push(ref);
    }
    if (policy.headroom)
      refs.push({ kind: "Deployment", namespace: policy.headroom.namespace, name: policy.headroom.name });

    let thread: string | undefined;
    for (const ref of refs) {
      try {
        await this.apply(ref, request.eventId, (state) => {
          const hold = state?.holds[key];
          if (!state || !hold) return state;
          thread ??= hold.thread;
          return withRelease(state, key, request.eventAt, request.restoreAt);
        });
      } catch (error) {
        failures.push(error);
      }
    }
    if (thread) {
      await this.notify({
        ...this.envelope(thread, `restore_scheduled:${request.eventId}`, policy.name, trigger, request.eventId),
        type: "prescale_restore_scheduled",
        restoreAt: new Date(request.restoreAt).toISOString(),
      });
    }
    await this.failed(
      failures,
      thread ?? `prescaling:${policy.name}:${trigger}`,
      policy.name,
      trigger,
      request.eventId,
    );
  }

  /** Ends every hold whose time has come, wherever it is: restore happens even if OK never arrives. */
  async sweep(eventId: string): Promise<void> {
    const failures: unknown[] = [];
    for (const ref of await this.deps.cluster.listHeld(this.namespaces)) {
      try {
        await this.apply(ref, eventId, (state) => state);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, "sweep failed on some objects");
  }

  /**
   * One guarded read-modify-write: `mutate` changes the object's hold state, then it is reconciled at the
   * current time (human edits detected, ended holds dropped) and written. Reports what ended. Commands
   * (command-scaler.ts) hold through here too, so their holds meet the policies' in one state.
   */
  async apply(ref: ObjectRef, eventId: string, mutate: Mutation): Promise<Reconciled | undefined> {
    let outcome: Reconciled | undefined;
    let read: Scalable | undefined;
    await this.deps.cluster.update(ref, (current) => {
      read = current;
      const state = mutate(parseState(current.annotation), current);
      outcome = state ? reconcile(current.levels, state, this.deps.clock.now()) : undefined;
      return outcome ? writeOf(outcome, current) : undefined;
    });
    if (outcome && read) await this.report(ref, read, outcome, eventId);
    return outcome;
  }

  private async report(ref: ObjectRef, read: Scalable, outcome: Reconciled, eventId: string): Promise<void> {
    const anyHold = outcome.released[0] ?? Object.values(outcome.state?.holds ?? {})[0];
    for (const o of outcome.overridden) {
      this.deps.metrics.count("PrescalingHumanOverrides", { kind: ref.kind });
      const thread = anyHold?.thread ?? `prescaling:${ref.namespace}/${ref.name}`;
      await this.notify({
        ...this.envelope(
          thread,
          `overridden:${key(ref)}:${o.level}:${o.theirs}`,
          anyHold?.policy ?? "",
          anyHold?.trigger ?? "",
          eventId,
        ),
        type: "prescale_overridden",
        object: ref,
        ...o,
      });
    }
    const humanOwned = new Set(outcome.state?.humanOwned ?? parseState(read.annotation)?.humanOwned ?? []);
    for (const hold of outcome.released) {
      this.deps.metrics.count("PrescalingRestores", { policy: hold.policy });
      const last = outcome.state === undefined;
      const kept: KeptLevel[] = [];
      for (const level of Object.keys(read.levels) as (keyof Levels)[]) {
        const value = outcome.write[level] ?? read.levels[level] ?? 0;
        if (humanOwned.has(level) || outcome.overridden.some((o) => o.level === level))
          kept.push({ level, value, reason: "changed_by_a_person" });
        else if (!last && hold.levels[level] !== undefined)
          kept.push({ level, value, reason: "held_by_another_trigger" });
      }
      await this.notify({
        ...this.envelope(hold.thread, `restored:${key(ref)}`, hold.policy, hold.trigger, eventId),
        type: "prescale_restored",
        object: ref,
        reason: hold.releaseAt !== undefined && hold.releaseAt < hold.expiresAt ? "released" : "expired",
        changes: last ? outcome.changes : [],
        kept,
      });
    }
  }

  private envelope(thread: string, what: string, policy: string, trigger: string, eventId: string) {
    return {
      threadKey: thread,
      dedupeKey: `${thread}:${what}`,
      at: new Date(this.deps.clock.now()).toISOString(),
      policy,
      trigger,
      eventId,
    };
  }

  private async notify(notification: PrescalingNotification): Promise<void> {
    this.deps.log.info("prescaling", { type: notification.type, policy: notification.policy });
    await this.deps.notifier.publish(notification);
  }

  private async failed(failures: unknown[], thread: string, policy: string, trigger: string, eventId: string) {
    if (failures.length === 0) return;
    await this.notify({
      ...this.envelope(thread, `failed:${eventId}`, policy, trigger, eventId),
      type: "prescale_failed",
      reason: failures.map(errorText).join("; "),
    });
    throw new AggregateError(failures, `prescaling ${policy} failed on some objects`);
  }
}

function writeOf(outcome: Reconciled, current: Scalable): ScalableWrite | undefined {
  const nothing = Object.keys(outcome.write).length === 0 && outcome.annotation === (current.annotation ?? null);
  return nothing ? undefined : { levels: outcome.write, annotation: outcome.annotation };
}

function key(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
