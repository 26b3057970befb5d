// Targets whose feature is not deployed where a command points: every command says so instead of failing obscurely.
import {
  CommandRefused,
  type CommandResult,
  type ScalingCommands,
  type TrafficCommands,
  type UpgradeCommands,
} from "../../core/slack/ports.ts";

const refuse = (why: string) => async (): Promise<CommandResult> => {
  throw new CommandRefused(why);
};

/** A cluster with no pre-scaling queue configured (HARBORMASTER_SLACK_PRESCALING_QUEUES). */
export function unavailableScaling(cluster: string): ScalingCommands {
  const why = `pre-scaling is not deployed for cluster ${cluster}`;
  return { scale: refuse(why), headroom: refuse(why) };
}

const noTraffic = refuse("traffic shifting is not available from Slack in this deployment");
export const unavailableTraffic: TrafficCommands = {
  shift: noTraffic,
  pause: noTraffic,
  resume: noTraffic,
  rollback: noTraffic,
};

/** No bus configured (HARBORMASTER_SLACK_TRAFFIC_BUS): the upgrade engine cannot be reached from Slack. */
export const unavailableUpgrades: UpgradeCommands = {
  request: refuse("cluster upgrades are not available from Slack in this deployment"),
};
