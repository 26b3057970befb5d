// What the upgrade engine reads from each cluster, and how it schedules its own re-checks.
import type { UpgradeTicket } from "./commands.ts";

export interface NodeFacts {
  name: string;
  ready: boolean;
}

export interface DeploymentFacts {
  namespace: string;
  name: string;
  /** The Available condition is True. */
  available: boolean;
  desired: number;
  ready: number;
}

export interface HpaFacts {
  namespace: string;
  name: string;
  /** minReplicas as it is now (raised while held). */
  min: number;
  max: number;
  /** minReplicas before any hold: the floor mirroring never goes below, and what a restore brings back. */
  originalMin: number;
  /** status.currentReplicas (or the target's replicas before the controller has reported). */
  currentReplicas: number;
  /** `Deployment/<name>`: the workload it scales. */
  target: string;
  /** Ready pods of the target: what capacity means. */
  readyPods: number;
}

export interface UpgradeClusterPort {
  nodes(): Promise<NodeFacts[]>;
  deployments(namespaces: readonly string[]): Promise<DeploymentFacts[]>;
  hpas(namespaces: readonly string[]): Promise<HpaFacts[]>;
  /** Scales an HPA's target down to the HPA's minReplicas (the release's optional scale-down); never deletes. */
  scaleTargetToMinimum(hpa: HpaFacts): Promise<boolean>;
}

export interface UpgradeSchedulerPort {
  /**
   * A one-shot schedule that hands `ticket` back at `at`. Named by the ticket and the time, so two runs
   * asking for the same re-check make one schedule, and a re-check after a fired one is a new schedule.
   */
  schedule(ticket: UpgradeTicket, at: number): Promise<void>;
}
