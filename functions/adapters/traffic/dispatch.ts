// Which core a traffic-function command goes to: rollouts, upgrades, or both (an alarm, a deploy notice).
import type { TrafficCommand } from "../../core/traffic/commands.ts";
import { handleCommand, type Outcome, type TrafficDeps } from "../../core/traffic/service.ts";
import type { UpgradeCommand } from "../../core/upgrade/commands.ts";
import type { UpgradeDeps } from "../../core/upgrade/deps.ts";
import { handleUpgradeAlarm, handleUpgradeCommand, handleUpgradeDeploy } from "../../core/upgrade/service.ts";

export async function dispatchTrafficFunction(
  traffic: TrafficDeps,
  upgrades: UpgradeDeps | undefined,
  command: TrafficCommand | UpgradeCommand,
  logger: { warn(message: string, fields: Record<string, unknown>): void },
): Promise<Outcome[]> {
  switch (command.kind) {
    case "upgrade":
    case "upgrade_step":
      if (!upgrades) {
        // Retrying cannot help: the function has no upgrade configured.
        logger.warn("traffic: an upgrade command but HARBORMASTER_UPGRADES is not set", { command });
        return [];
      }
      return handleUpgradeCommand(upgrades, command);
    case "alarm": {
      // Side by side: an upgrade's rollback must not wait for the domains' rollbacks, nor they for it.
      const [rollouts, upgraded] = await Promise.all([
        handleCommand(traffic, command),
        upgrades ? handleUpgradeAlarm(upgrades, command.alarmName, command.reason) : [],
      ]);
      return [...rollouts, ...upgraded];
    }
    case "deploy": {
      // The upgrade first: once it owns the domain, the rollout a domain's applications would start keeps out.
      const upgraded = upgrades ? await handleUpgradeDeploy(upgrades, command.deploy) : [];
      return [...upgraded, ...(await handleCommand(traffic, command))];
    }
    default:
      return handleCommand(traffic, command);
  }
}
