// What the Slack feature needs from the outside world; adapters/slack implements it.
import type { UpgradeAction } from "../upgrade/commands.ts";
import type { SlackJob } from "./jobs.ts";
import type { SlackMessage } from "./messages.ts";

export interface ReplayGuard {
  /** True the first time a request id is seen; false for a replay. Remembered until `expiresAtSec`. */
  firstSeen(requestId: string, expiresAtSec: number): Promise<boolean>;
}

export interface JobQueue {
  /** Jobs in one group run in order; a second job with the same dedupe id within minutes is dropped. */
  enqueue(job: SlackJob, options: { groupId: string; dedupeId: string }): Promise<void>;
}

export interface SlackPort {
  /** Posts a message (a reply when `threadTs` is given) and returns its ts. */
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** Answers through a slash command's or an interaction's response_url. */
  respond(responseUrl: string, response: ResponseUrlMessage): Promise<void>;
}

export type ResponseUrlMessage = SlackMessage & {
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
  delete_original?: boolean;
};

export interface ThreadRecord {
  channel: string;
  ts: string;
  /** Dedupe keys already posted in the thread. */
  posted: string[];
}

export interface ThreadStore {
  get(threadKey: string): Promise<ThreadRecord | undefined>;
  /** Records a new thread's parent; false when another writer created the thread first. */
  create(threadKey: string, record: ThreadRecord): Promise<boolean>;
  markPosted(threadKey: string, dedupeKey: string): Promise<void>;
}

export interface CommandResult {
  /** One line for the requester and the audit message. */
  summary: string;
  /** Details, e.g. one line per node. */
  lines?: string[];
}

export interface ClusterCommands {
  status(): Promise<CommandResult>;
  nodes(): Promise<CommandResult>;
  cordon(node: string, actor: string): Promise<CommandResult>;
  uncordon(node: string, actor: string): Promise<CommandResult>;
  drain(node: string, actor: string): Promise<CommandResult>;
}

export interface ScalingCommands {
  scale(
    namespace: string,
    hpa: string,
    min: number,
    forSeconds: number | undefined,
    actor: string,
  ): Promise<CommandResult>;
  headroom(pods: number, forSeconds: number | undefined, actor: string): Promise<CommandResult>;
}

export interface TrafficCommands {
  /** Moves `percent` of the domain's traffic to `target` (by default the rollout's target, or the idle set). */
  shift(domain: string, percent: number, target: string | undefined, actor: string): Promise<CommandResult>;
  pause(domain: string, actor: string): Promise<CommandResult>;
  resume(domain: string, actor: string): Promise<CommandResult>;
  rollback(domain: string, actor: string): Promise<CommandResult>;
}

export interface UpgradeCommands {
  /** Hands the action to the upgrade engine (the traffic function); the upgrade's thread shows the outcome. */
  request(upgrade: string, action: UpgradeAction, actor: string): Promise<CommandResult>;
}

/** Where each command goes: Kubernetes (interruption core), pre-scaling core, traffic core, upgrade engine. */
export interface CommandTargets {
  cluster(name: string): Promise<ClusterCommands>;
  scaling(cluster: string): Promise<ScalingCommands>;
  traffic(): Promise<TrafficCommands>;
  upgrades(): Promise<UpgradeCommands>;
}

/** A command that cannot run, with a message for the person who asked. */
export class CommandRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandRefused";
  }
}
