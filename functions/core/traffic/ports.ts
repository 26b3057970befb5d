// What the traffic core needs from the outside world; adapters/traffic/ implements it.
import type { TrafficDomain } from "./domain.ts";
import type { RolloutMetadata } from "./metadata.ts";
import type { Weights } from "./weights.ts";

/** The domain as read from Route53: the state of any rollout, and what a compare-and-swap must delete. */
export interface DomainSnapshot {
  /** Weight of each weighted record set at the name, by SetIdentifier. */
  weights: Weights;
  /** Record sets at the name and type the domain's config does not list (or that are not weighted). */
  unknownRecords: string[];
  /** The longest TTL among the sets (an alias counts as 60 s, what resolvers cache an ALB answer for). */
  ttlSeconds: number;
  metadata?: RolloutMetadata;
  /** A TXT record is there but is not ours, or does not decode: refuse rather than overwrite it. */
  metadataUnreadable: boolean;
  /** The record sets exactly as read; the swap deletes these, so any change since makes it fail whole. */
  readonly raw: unknown;
}

export interface TrafficRecordsPort {
  read(domain: TrafficDomain): Promise<DomainSnapshot>;
  /**
   * One change batch: DELETE every record set in `snapshot` as read, CREATE them with `weights`, and
   * replace the metadata TXT record. Waits until Route53 reports INSYNC.
   * @throws ConcurrentModification when the batch is rejected because a record changed since the read.
   */
  swap(domain: TrafficDomain, snapshot: DomainSnapshot, weights: Weights, metadata: RolloutMetadata): Promise<void>;
}

export interface AlarmState {
  name: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** Period × EvaluationPeriods: how long new traffic takes to be able to move the alarm. */
  windowSeconds: number;
}

export interface AlarmsPort {
  /** The named alarms that exist; a missing name is simply absent from the answer. */
  describe(names: readonly string[]): Promise<AlarmState[]>;
}

/** What a one-shot schedule hands back to the traffic function when it fires. */
export interface StepTicket {
  domain: string;
  rolloutId: string;
  revision: number;
}

export interface StepSchedulerPort {
  /** Idempotent: the same ticket schedules once. */
  schedule(ticket: StepTicket, at: number): Promise<void>;
  /** Best effort; a stale schedule that still fires finds a newer revision and does nothing. */
  cancel(ticket: StepTicket): Promise<void>;
}
