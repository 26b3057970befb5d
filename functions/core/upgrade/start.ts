// Starting an upgrade: the ready gate on both clusters, blue held where it is, then the first step's floors.
import type { RolloutMetadata } from "../traffic/metadata.ts";
import { rolloutIdFor } from "../traffic/rollout-id.ts";
import { isActive, unsafeRecords } from "../traffic/transitions.ts";
import { holdBlue, holdTtlMs, releaseRun } from "./capacity.ts";
import { busyUpgrade } from "./phases.ts";
import { readyGate } from "./ready-gate.ts";
import type { Decide, RunContext, UpgradeDecision } from "./run.ts";
import { readAlarms, tryStep, upgradeAlarms } from "./step.ts";

/** The same delivering event names the same run, so a redelivered start starts one upgrade. */
export function upgradeRunId(upgrade: string, eventId: string): string {
  return rolloutIdFor(`upgrade/${upgrade}`, eventId);
}

export interface StartAttempt {
  decide: Decide;
  /** After the run: undo this attempt's holds if another run won the domain meanwhile. */
  cleanup(ctx: RunContext): Promise<void>;
}

export function startUpgrade(eventId: string, actor?: string): StartAttempt {
  let held = false;
  let rolloutId = "";
  const decide: Decide = async (ctx) => {
    rolloutId = upgradeRunId(ctx.up.name, eventId);
    const decision = await decideStart(ctx, rolloutId, actor, () => {
      held = true;
    });
    return decision;
  };
  return {
    decide,
    async cleanup(ctx) {
      if (held && ctx.snapshot.metadata?.rolloutId !== rolloutId) await releaseRun(ctx, rolloutId);
    },
  };
}

async function decideStart(
  ctx: RunContext,
  rolloutId: string,
  actor: string | undefined,
  onHeld: () => void,
): Promise<UpgradeDecision> {
  const { up, snapshot } = ctx;
  const current: RolloutMetadata | undefined = snapshot.metadata;
  const revision = current?.revision ?? 0;
  if (current?.rolloutId === rolloutId)
    return { kind: "none", why: "this upgrade run already started", metadata: current, announce: [] };
  const refuse = (reason: string, missing: string[] = []): UpgradeDecision => ({
    kind: "none",
    why: reason,
    rolloutId,
    announce: [{ type: "upgrade_refused", reason, missing }],
  });
  const unsafe = unsafeRecords(ctx.domain, snapshot);
  if (unsafe) return refuse(unsafe);
  const busy = busyUpgrade(current);
  if (busy || isActive(current))
    return refuse(
      `${busy ? `upgrade ${busy}` : "a rollout"} (${current?.rolloutId}) is still ${current?.phase ?? current?.status} on ${ctx.domain.name}`,
    );
  const green = up.green.setIdentifier;
  const baseline = { ...snapshot.weights };
  if (!Object.entries(baseline).some(([id, w]) => id !== green && w > 0))
    return refuse(`${green} already receives all traffic`);

  const [blueDeps, greenDeps, alarms] = await Promise.all([
    ctx.deps.cluster(up.blue.cluster),
    ctx.deps.cluster(up.green.cluster),
    readAlarms(ctx),
  ]);
  const [blueDeployments, blueHpas, greenNodes, greenDeployments, greenHpas] = await Promise.all([
    blueDeps.cluster.deployments(up.namespaces),
    blueDeps.cluster.hpas(up.namespaces),
    greenDeps.cluster.nodes(),
    greenDeps.cluster.deployments(up.namespaces),
    greenDeps.cluster.hpas(up.namespaces),
  ]);
  const verdict = readyGate({
    blue: { cluster: up.blue.cluster, deployments: blueDeployments, hpas: blueHpas },
    green: { cluster: up.green.cluster, deployments: greenDeployments, hpas: greenHpas, nodes: greenNodes },
    wantedAlarms: upgradeAlarms(ctx),
    alarms,
    insufficientDataPasses: ctx.domain.insufficientData === "proceed",
  });
  if (!verdict.ready) return refuse(`${up.green.cluster} is not ready for traffic`, verdict.missing);

  const fresh: RolloutMetadata = {
    rolloutId,
    target: green,
    status: "running",
    step: -1,
    planName: up.plan.name,
    steps: up.plan.steps,
    baseline,
    weights: baseline,
    revision,
    startedAt: ctx.now,
    updatedAt: ctx.now,
    bakeUntil: ctx.now,
    waits: 0,
    upgrade: up.name,
  };
  onHeld();
  await holdBlue(ctx, rolloutId, blueHpas, holdTtlMs(up, up.plan.steps));
  const first = await tryStep(ctx, fresh, 0);
  if (first.kind === "none" || first.metadata.status === "rolled_back") {
    // Nothing moved yet: nothing to roll back, so nothing to write, and no hold to keep.
    await releaseRun(ctx, rolloutId);
    return refuse(`not starting: ${first.kind === "none" ? first.why : (first.metadata.reason ?? "gate failed")}`);
  }
  const started = {
    type: "upgrade_started" as const,
    plan: up.plan.name,
    percents: up.plan.steps.map((s) => s.percent),
    actor,
  };
  return { ...first, announce: [started, ...first.announce], again: false };
}
