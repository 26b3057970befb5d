// Targets whose feature is not wired into Slack yet: every command says so instead of failing obscurely.
import {
  CommandRefused,
  type CommandResult,
  type ScalingCommands,
  type TrafficCommands,
} from "../../core/slack/ports.ts";

const refuse = (feature: string) => async (): Promise<CommandResult> => {
  throw new CommandRefused(`${feature} is not available from Slack in this deployment`);
};

export const unavailableScaling: ScalingCommands = { scale: refuse("pre-scaling"), headroom: refuse("pre-scaling") };

export const unavailableTraffic: TrafficCommands = {
  shift: refuse("traffic shifting"),
  pause: refuse("traffic shifting"),
  resume: refuse("traffic shifting"),
  rollback: refuse("traffic shifting"),
};
