// A blue-green cluster upgrade as configured: a traffic domain whose two weighted sets are two clusters.
import type { StepPlan } from "../traffic/plan.ts";

/** One side of an upgrade: a Harbormaster cluster (HARBORMASTER_CLUSTERS) behind one weighted record set. */
export interface UpgradeSide {
  /** The cluster's Harbormaster name, a key of HARBORMASTER_CLUSTERS. */
  cluster: string;
  /** Its SetIdentifier on the domain's weighted records (default: the cluster's name). */
  setIdentifier: string;
  /** Alarms about this cluster: gates before each step, and an ALARM rolls the upgrade back at once. */
  alarms: string[];
}

export interface UpgradeDefinition {
  /** Short slug: names the Slack thread, the commands and the step schedules. */
  name: string;
  /** The traffic domain (HARBORMASTER_TRAFFIC_DOMAINS) whose records it shifts. */
  domain: string;
  /** The cluster serving now. */
  blue: UpgradeSide;
  /** The new cluster, taking the traffic. */
  green: UpgradeSide;
  /** Where the ready gate compares Deployments and HPAs, and where mirroring raises floors. */
  namespaces: string[];
  /** Capacity margin: green's floor is ceil(blue's replicas × green's share × margin). */
  margin: number;
  plan: StepPlan;
  /** After the last step: how long green holds 100 % before its floors are restored and blue is released. */
  bakeSeconds: number;
  /** How long a step waits for mirrored pods to be Ready before the upgrade pauses (a person decides). */
  capacityTimeoutSeconds: number;
  /** At release, scale blue's HPAs down to their minimum (never deletes a cluster). */
  scaleDownBlue: boolean;
  /** Mirroring on (the default); off only to measure what it prevents. */
  mirrorCapacity: boolean;
  /** Argo CD (or CI) deploy notices for these applications, targeting green, start the upgrade. */
  applications: string[];
}
