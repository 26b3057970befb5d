// What the upgrade engine runs on: the traffic core's Route53 and alarm ports, and per-cluster reads and holds.

import type { Clock, MetricsPort, NotifierPort } from "../ports.ts";
import type { Prescaler } from "../prescaling/prescaler.ts";
import type { TrafficDomain } from "../traffic/domain.ts";
import type { AlarmsPort, TrafficRecordsPort } from "../traffic/ports.ts";
import type { UpgradeDefinition } from "./definition.ts";
import type { UpgradeClusterPort, UpgradeSchedulerPort } from "./ports.ts";

/** One cluster as the engine uses it: read through `cluster`, floors held through the pre-scaling core. */
export interface UpgradeClusterDeps {
  cluster: UpgradeClusterPort;
  prescaler: Prescaler;
}

export interface UpgradeDeps {
  upgrades: readonly UpgradeDefinition[];
  /** The traffic domains the upgrades shift (HARBORMASTER_TRAFFIC_DOMAINS). */
  domains: readonly TrafficDomain[];
  /** A cluster by its Harbormaster name; built lazily, rebuilt when its EKS token is renewed. */
  cluster(name: string): Promise<UpgradeClusterDeps>;
  records: TrafficRecordsPort;
  alarms: AlarmsPort;
  scheduler: UpgradeSchedulerPort;
  notifier: NotifierPort;
  metrics: MetricsPort;
  clock: Clock;
  log: { info(message: string, fields: Record<string, unknown>): void };
  casAttempts: number;
  /** How often a capacity wait or a rollback's settling looks again. */
  pollSeconds: number;
}

export interface UpgradeOutcome {
  domain: string;
  upgrade: string;
  result: string;
}
