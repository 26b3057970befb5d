// A person's commands on a running upgrade: pause, resume, promote, rollback, status.
import type { RolloutMetadata } from "../traffic/metadata.ts";
import { next } from "../traffic/transitions.ts";
import { formatWeights } from "../traffic/weights.ts";
import type { UpgradeAction } from "./commands.ts";
import { finalBaked } from "./machine.ts";
import { readyPods } from "./mirroring.ts";
import { phaseOf, trafficPhases } from "./phases.ts";
import { type Decide, none, type RunContext, trafficContext } from "./run.ts";
import { pauseAt, rollbackTo, tryStep } from "./step.ts";

const moving = (m: RolloutMetadata | undefined, upgrade: string): m is RolloutMetadata => {
  const phase = m && phaseOf(m);
  return (
    !!m &&
    m.upgrade === upgrade &&
    !!phase &&
    trafficPhases.includes(phase) &&
    (m.status === "running" || m.status === "paused")
  );
};

export function controlUpgrade(
  action: Exclude<UpgradeAction, "start" | "status">,
  actor?: string,
  reason?: string,
): Decide {
  return async (ctx) => {
    const m = ctx.snapshot.metadata;
    const read: RolloutMetadata | undefined = m;
    if (!moving(m, ctx.up.name))
      return none(
        `no upgrade ${ctx.up.name} in progress to ${action}`,
        read?.upgrade === ctx.up.name ? read : undefined,
      );
    const by = actor ?? "an operator";
    switch (action) {
      case "pause":
        return pauseAt(ctx, m, reason ?? `paused by ${by}`, actor);
      case "rollback":
        return rollbackTo(ctx, m, reason ?? `rolled back by ${by}`);
      case "resume": {
        if (m.status !== "paused") return none(`not paused but ${m.status}`, m);
        // A capacity wait starts its timeout again: the person resuming has seen why it stopped.
        const restart = phaseOf(m) === "capacity-wait" ? { phaseSince: ctx.now } : {};
        const metadata = next(m, trafficContext(ctx), { status: "running", waits: 0, ...restart });
        return {
          kind: "write",
          weights: m.weights,
          metadata,
          announce: [{ type: "upgrade_resumed", actor }],
          again: true,
        };
      }
      case "promote":
        return promote(ctx, m, by);
    }
  };
}

/** Skips the remaining steps but not the capacity: green's floors for 100 %, then 100 %, then the bake. */
async function promote(ctx: RunContext, m: RolloutMetadata, by: string) {
  const phase = phaseOf(m);
  const running = { ...m, status: "running" as const };
  if (phase === "final-bake") return finalBaked(ctx, running, true);
  const last = m.steps.at(-1);
  if (!last) return none("the plan has no steps", m);
  const steps = [...m.steps.slice(0, m.step + 1), { ...last, manual: false }];
  // Not "capacity-wait": the shortened plan is written even while green's pods are still coming up.
  const promoted = { ...running, steps, planName: `${m.planName} (promoted by ${by})`, phase: "baking" };
  return tryStep(ctx, promoted, steps.length - 1);
}

/** What the thread hears on `status`: the weights, the phase, green's floors and both sides' Ready pods. */
export async function statusText(ctx: RunContext): Promise<{ text: string; metadata?: RolloutMetadata }> {
  const m = ctx.snapshot.metadata;
  const ours = m?.upgrade === ctx.up.name ? m : undefined;
  const [blue, green] = await Promise.all(
    [ctx.up.blue.cluster, ctx.up.green.cluster].map(async (c) =>
      (await ctx.deps.cluster(c)).cluster.hpas(ctx.up.namespaces),
    ),
  );
  const lines = [
    `upgrade ${ctx.up.name}: ${ctx.up.blue.cluster} → ${ctx.up.green.cluster} on ${ctx.domain.name}`,
    ours
      ? `run ${ours.rolloutId}: ${ours.status}, phase ${ours.phase ?? "-"}, step ${ours.step + 1}/${ours.steps.length}${ours.reason ? ` (${ours.reason})` : ""}`
      : "no run yet",
    `weights: ${formatWeights(ctx.snapshot.weights)}`,
    `green floors: ${(green ?? []).map((h) => `${h.namespace}/${h.name} min ${h.min} (was ${h.originalMin}), ${h.readyPods} Ready`).join("; ") || "none"}`,
    `Ready pods: ${ctx.up.blue.cluster} ${readyPods(blue ?? [])}, ${ctx.up.green.cluster} ${readyPods(green ?? [])}`,
  ];
  return { text: lines.join("\n"), metadata: ours };
}
