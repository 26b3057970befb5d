// Runs an upgrade command, ticket, alarm or deploy notice through the compare-and-swap loop.
import type { DeployNotice } from "../traffic/commands.ts";
import type { UpgradeCommand } from "./commands.ts";
import { controlUpgrade, statusText } from "./control.ts";
import type { UpgradeDefinition } from "./definition.ts";
import type { UpgradeDeps, UpgradeOutcome } from "./deps.ts";
import { afterWrite, onTicket } from "./machine.ts";
import { busyUpgrade, phaseOf, threadOfUpgrade, trafficPhases } from "./phases.ts";
import { none, type RunContext, runUpgrade } from "./run.ts";
import { startUpgrade } from "./start.ts";
import { rollbackTo, upgradeAlarms } from "./step.ts";

export async function handleUpgradeCommand(deps: UpgradeDeps, command: UpgradeCommand): Promise<UpgradeOutcome[]> {
  deps.metrics.count("UpgradeCommands", { kind: command.kind });
  if (command.kind === "upgrade_step") {
    const up = named(deps, command.ticket.upgrade);
    return up ? [await runUpgrade(deps, up, onTicket(command.ticket), afterWrite)] : [];
  }
  const up = named(deps, command.upgrade);
  if (!up) return [{ domain: "-", upgrade: command.upgrade, result: "unknown upgrade" }];
  switch (command.action) {
    case "start":
      return [await start(deps, up, command.eventId, command.actor)];
    case "status":
      return [await status(deps, up, command.eventId)];
    default:
      return [await runUpgrade(deps, up, controlUpgrade(command.action, command.actor, command.reason), afterWrite)];
  }
}

/** An ALARM of either cluster (or the domain) rolls every upgrade it gates back at once, without a gate read. */
export async function handleUpgradeAlarm(
  deps: UpgradeDeps,
  alarmName: string,
  reason: string,
): Promise<UpgradeOutcome[]> {
  const gated = deps.upgrades.filter((up) => {
    const domain = deps.domains.find((d) => d.name === up.domain);
    return domain && upgradeAlarms({ up, domain }).includes(alarmName);
  });
  return Promise.all(
    gated.map((up) =>
      runUpgrade(
        deps,
        up,
        async (ctx) => {
          const m = ctx.snapshot.metadata;
          const phase = m && phaseOf(m);
          if (m?.upgrade !== up.name || !phase || !trafficPhases.includes(phase) || busyUpgrade(m) !== up.name)
            return none("no upgrade in progress", m?.upgrade === up.name ? m : undefined);
          return rollbackTo(ctx, m, `alarm ${alarmName} went to ALARM: ${reason}`, alarmName);
        },
        afterWrite,
      ),
    ),
  );
}

/** A deploy that names green (its set identifier or cluster) for an upgrade's application starts it. */
export async function handleUpgradeDeploy(deps: UpgradeDeps, notice: DeployNotice): Promise<UpgradeOutcome[]> {
  if (notice.status !== "succeeded" || !notice.target) return [];
  const starts = deps.upgrades.filter(
    (up) =>
      up.applications.includes(notice.application) &&
      (notice.target === up.green.setIdentifier || notice.target === up.green.cluster),
  );
  return Promise.all(
    starts.map((up) => start(deps, up, `deploy/${notice.id}`, `${notice.source} deploy of ${notice.application}`)),
  );
}

function named(deps: UpgradeDeps, name: string): UpgradeDefinition | undefined {
  return deps.upgrades.find((up) => up.name === name);
}

async function start(deps: UpgradeDeps, up: UpgradeDefinition, eventId: string, actor?: string) {
  const attempt = startUpgrade(eventId, actor);
  const outcome = await runUpgrade(deps, up, attempt.decide, afterWrite);
  await attempt.cleanup(await contextOf(deps, up));
  return outcome;
}

async function status(deps: UpgradeDeps, up: UpgradeDefinition, eventId: string): Promise<UpgradeOutcome> {
  const ctx = await contextOf(deps, up);
  const { text, metadata } = await statusText(ctx);
  const rolloutId = metadata?.rolloutId ?? "none";
  const threadKey = threadOfUpgrade(up.name, rolloutId);
  await deps.notifier.publish({
    type: "upgrade_status",
    text,
    upgrade: up.name,
    rolloutId,
    blue: up.blue.cluster,
    green: up.green.cluster,
    threadKey,
    dedupeKey: `${threadKey}/status/${eventId}`,
    at: new Date(deps.clock.now()).toISOString(),
  });
  // A status also repairs a broken schedule chain: the current revision's check is ensured.
  if (metadata) await runUpgrade(deps, up, async () => none("status", metadata), afterWrite);
  return { domain: up.domain, upgrade: up.name, result: metadata ? `${metadata.status}/${metadata.phase}` : "no run" };
}

async function contextOf(deps: UpgradeDeps, up: UpgradeDefinition): Promise<RunContext> {
  const domain = deps.domains.find((d) => d.name === up.domain);
  if (!domain) throw new Error(`upgrade ${up.name}: domain ${up.domain} is not configured`);
  return { deps, up, domain, snapshot: await deps.records.read(domain), now: deps.clock.now() };
}
