import type { Clock, MetricsPort, NotifierPort } from "../ports.ts";
import { commandPolicy, commandSeconds, commandTrigger, type ScalingCommand, withCommandHold } from "./commands.ts";
import { floorLevels } from "./floor.ts";
import { freeCapacity } from "./headroom.ts";
import { type Hold, holdKey } from "./holds.ts";
import type { HeadroomReport, PrescalingNotification, RaisedTarget } from "./notifications.ts";
import type { HeadroomSpec, TargetRef } from "./policy.ts";
import type { ObjectRef, PrescalingClusterPort } from "./ports.ts";
import type { Prescaler } from "./prescaler.ts";
import { bytes, millicores } from "./quantity.ts";
import type { Reconciled } from "./reconcile.ts";
import { stateOrNew } from "./reconcile.ts";

export interface CommandTrigger {
  id: string;
  command: ScalingCommand;
  actor: string;
  at: number;
}

/** The cluster's headroom Deployment as the policies name it: one, none, or several to choose from. */
export type CommandHeadroom = { spec: HeadroomSpec } | { none: true } | { several: string[] };

export interface CommandScalerDeps {
  prescaler: Pick<Prescaler, "apply">;
  cluster: PrescalingClusterPort;
  notifier: NotifierPort;
  metrics: MetricsPort;
  clock: Clock;
  /** Where a command may hold an HPA: the namespaces the sweep looks in, so every hold ends on time. */
  namespaces: readonly string[];
  headroom: CommandHeadroom;
}

/**
 * `scale <ns>/<hpa> <min> [for <d>]` and `headroom <n> [for <d>]`: a hold like a policy's, on the same
 * object state, ended by the same sweep. The highest hold wins; the original comes back after the last one.
 */
export class CommandScaler {
  private readonly deps: CommandScalerDeps;

  constructor(deps: CommandScalerDeps) {
    this.deps = deps;
  }

  async run(trigger: CommandTrigger): Promise<void> {
    this.deps.metrics.count("PrescalingCommands", { kind: trigger.command.kind });
    if (trigger.command.kind === "scale") await this.scale(trigger, trigger.command);
    else await this.headroom(trigger, trigger.command);
  }

  private async scale(trigger: CommandTrigger, command: Extract<ScalingCommand, { kind: "scale" }>) {
    const target: TargetRef = { kind: "HorizontalPodAutoscaler", namespace: command.namespace, name: command.name };
    const thread = `prescaling:command:${target.namespace}/${target.name}:${trigger.id}`;
    if (!this.deps.namespaces.includes(target.namespace))
      return this.refuse(
        trigger,
        thread,
        `pre-scaling holds HPAs only in ${this.deps.namespaces.join(", ") || "no namespace"}; ${target.namespace} is not one`,
      );
    const ref = await this.deps.cluster.resolve(target);
    if (!ref) return this.refuse(trigger, thread, `no HPA ${target.namespace}/${target.name}`);
    let capped: RaisedTarget["capped"];
    const result = await this.deps.prescaler.apply(ref, trigger.id, (state, current) => {
      const started = stateOrNew(state, current.levels, current.replicas);
      const max = current.levels.max ?? Number.POSITIVE_INFINITY;
      // An HPA refuses min above max: like a policy that respects maxReplicas, the floor stops there.
      const decision = floorLevels({ mode: "absolute", replicas: command.min }, started.baseReplicas, max, "respect");
      capped = decision.capped;
      return withCommandHold(started, this.hold(trigger, thread, decision.levels));
    });
    if (!held(result)) return; // it ended the previous command's hold, and the sweep's report says so
    await this.notify(trigger, thread, {
      type: "prescale_raised",
      expiresAt: this.expiry(trigger),
      targets: [{ target, object: ref, changes: result?.changes ?? [], capped }],
    });
  }

  private async headroom(trigger: CommandTrigger, command: Extract<ScalingCommand, { kind: "headroom" }>) {
    const thread = `prescaling:command:headroom:${trigger.id}`;
    const choice = this.deps.headroom;
    if ("none" in choice) return this.refuse(trigger, thread, "no pre-scaling policy on this cluster has headroom");
    if ("several" in choice)
      return this.refuse(
        trigger,
        thread,
        `the policies name several headroom Deployments: ${choice.several.join(", ")}`,
      );
    const { spec } = choice;
    const ref: ObjectRef = await this.deps.cluster.ensureHeadroom(spec);
    const pool = await this.deps.cluster.headroomPool(spec);
    const result = await this.deps.prescaler.apply(ref, trigger.id, (state, current) =>
      withCommandHold(
        stateOrNew(state, current.levels, current.replicas),
        this.hold(trigger, thread, { replicas: command.replicas }),
      ),
    );
    if (!held(result)) return;
    const unit = { cpuMillis: millicores(spec.unit.cpu), memoryBytes: bytes(spec.unit.memory) };
    const free = freeCapacity(pool, unit);
    const headroom: HeadroomReport = {
      object: ref,
      wantedUnits: command.replicas,
      changes: result?.changes ?? [],
      placeholders: pool.placeholders,
      free,
      shortUnits: Math.max(command.replicas - free.units, 0),
    };
    await this.notify(trigger, thread, {
      type: "prescale_raised",
      expiresAt: this.expiry(trigger),
      targets: [],
      headroom,
    });
  }

  private hold(trigger: CommandTrigger, thread: string, levels: Hold["levels"]): Hold {
    const expiresAt = trigger.at + commandSeconds(trigger.command) * 1000;
    return {
      policy: commandPolicy,
      trigger: commandTrigger,
      by: trigger.actor,
      levels,
      since: trigger.at,
      expiresAt,
      thread,
    };
  }

  private expiry(trigger: CommandTrigger): string {
    return new Date(trigger.at + commandSeconds(trigger.command) * 1000).toISOString();
  }

  /** Retrying cannot help (a name that does not exist, a namespace not allowed): say so in the thread. */
  private async refuse(trigger: CommandTrigger, thread: string, reason: string): Promise<void> {
    this.deps.metrics.count("PrescalingCommandsRefused", { kind: trigger.command.kind });
    await this.notify(trigger, thread, { type: "prescale_failed", reason });
  }

  private async notify(
    trigger: CommandTrigger,
    thread: string,
    body:
      | Pick<
          Extract<PrescalingNotification, { type: "prescale_raised" }>,
          "type" | "expiresAt" | "targets" | "headroom"
        >
      | Pick<Extract<PrescalingNotification, { type: "prescale_failed" }>, "type" | "reason">,
  ): Promise<void> {
    await this.deps.notifier.publish({
      ...body,
      threadKey: thread,
      dedupeKey: `${thread}:${body.type}`,
      at: new Date(this.deps.clock.now()).toISOString(),
      policy: commandPolicy,
      trigger: `${commandTrigger} by ${trigger.actor}`,
      eventId: trigger.id,
    } as PrescalingNotification);
  }
}

/** The command's hold is in place after the write (it was not an order to end it). */
function held(result: Reconciled | undefined): boolean {
  return result?.state?.holds[holdKey(commandPolicy, commandTrigger)] !== undefined;
}

/** The headroom Deployment `headroom <n>` sizes: the one the policies name (placeholders need their unit). */
export function commandHeadroom(specs: readonly (HeadroomSpec | undefined)[]): CommandHeadroom {
  const byName = new Map<string, HeadroomSpec>();
  for (const spec of specs) if (spec) byName.set(`${spec.namespace}/${spec.name}`, spec);
  const [only, ...others] = byName.values();
  if (!only) return { none: true };
  return others.length === 0 ? { spec: only } : { several: [...byName.keys()] };
}
