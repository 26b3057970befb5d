import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from "@aws-sdk/client-route-53";
import type { Clock } from "../../core/ports.ts";
import { type BackoffPolicy, withBackoff } from "../../core/traffic/backoff.ts";
import type { TrafficDomain } from "../../core/traffic/domain.ts";
import { ConcurrentModification } from "../../core/traffic/errors.ts";
import { decodeMetadata, encodeMetadata, type RolloutMetadata } from "../../core/traffic/metadata.ts";
import type { DomainSnapshot, TrafficRecordsPort } from "../../core/traffic/ports.ts";
import type { Weights } from "../../core/traffic/weights.ts";

interface Raw {
  sets: ResourceRecordSet[];
  txt?: ResourceRecordSet;
}

// Route53 allows five requests a second per account and answers PriorRequestNotComplete while an earlier
// change to the zone is still being applied: both pass with time, so they are retried, with jitter.
const retryableCodes = new Set(["PriorRequestNotComplete", "Throttling", "ThrottlingException", "RequestThrottled"]);
export const route53Backoff: BackoffPolicy = { attempts: 8, baseMs: 200, capMs: 5_000 };
const metadataTtlSeconds = 60;
// An alias answers with the target's TTL, 60 s for an ALB.
const aliasTtlSeconds = 60;
const requestTimeoutMs = 10_000;

export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  return retryableCodes.has(e.name ?? "") || (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** The rejection AWS gives when a DELETE does not match what is there, or a CREATE finds a record. */
export function isConflict(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    e.name === "InvalidChangeBatch" &&
    /do not match the current values|but it was not found|but it already exists/.test(e.message ?? "")
  );
}

const normalise = (name = "") => `${name.toLowerCase().replace(/\.$/, "")}.`;

/** What can be sent back in a change: list answers carry an empty ResourceRecords for aliases. */
function writable(set: ResourceRecordSet): ResourceRecordSet {
  const copy: ResourceRecordSet = { ...set };
  if (copy.ResourceRecords?.length === 0) delete copy.ResourceRecords;
  return copy;
}

export class Route53Records implements TrafficRecordsPort {
  private readonly client: Route53Client;
  private readonly clock: Clock;
  private readonly changeTimeoutMs: number;
  private readonly random: () => number;

  constructor(clock: Clock, changeTimeoutMs: number, client?: Route53Client, random: () => number = Math.random) {
    // Our own backoff replaces the SDK's three attempts, so every retry is visible and jittered the same way.
    this.client = client ?? new Route53Client({ maxAttempts: 1, requestHandler: { requestTimeout: requestTimeoutMs } });
    this.clock = clock;
    this.changeTimeoutMs = changeTimeoutMs;
    this.random = random;
  }

  async read(domain: TrafficDomain): Promise<DomainSnapshot> {
    const [records, txt] = await Promise.all([
      this.list(domain.hostedZoneId, domain.recordName, domain.recordType),
      this.list(domain.hostedZoneId, domain.metadataRecordName, "TXT"),
    ]);
    const weights: Weights = {};
    const unknownRecords: string[] = [];
    let ttlSeconds = 0;
    for (const set of records) {
      const id = set.SetIdentifier;
      if (id === undefined || set.Weight === undefined || !domain.setIdentifiers.includes(id)) {
        unknownRecords.push(id === undefined ? "(a record without SetIdentifier)" : id);
        continue;
      }
      weights[id] = set.Weight;
      ttlSeconds = Math.max(ttlSeconds, set.AliasTarget ? aliasTtlSeconds : (set.TTL ?? 0));
    }
    const ordered: Weights = {};
    for (const id of domain.setIdentifiers) if (id in weights) ordered[id] = weights[id] as number;
    const metadataSet = txt[0];
    const values = metadataSet?.ResourceRecords ?? [];
    const metadata = values.length === 1 ? decodeMetadata(values[0]?.Value ?? "") : undefined;
    const raw: Raw = { sets: records, txt: metadataSet };
    return {
      weights: ordered,
      unknownRecords,
      ttlSeconds,
      metadata,
      metadataUnreadable: metadataSet !== undefined && metadata === undefined,
      raw,
    };
  }

  async swap(domain: TrafficDomain, snapshot: DomainSnapshot, weights: Weights, metadata: RolloutMetadata) {
    const raw = snapshot.raw as Raw;
    const changes = [
      // Deleting exactly what was read is the compare: any other value fails the whole batch.
      ...raw.sets.map((set) => ({ Action: "DELETE" as const, ResourceRecordSet: writable(set) })),
      ...(raw.txt ? [{ Action: "DELETE" as const, ResourceRecordSet: writable(raw.txt) }] : []),
      ...raw.sets.map((set) => ({
        Action: "CREATE" as const,
        ResourceRecordSet: { ...writable(set), Weight: weights[set.SetIdentifier ?? ""] },
      })),
      {
        Action: "CREATE" as const,
        ResourceRecordSet: {
          Name: domain.metadataRecordName,
          Type: "TXT" as const,
          TTL: metadataTtlSeconds,
          ResourceRecords: [{ Value: encodeMetadata(metadata) }],
        },
      },
    ];
    const command = new ChangeResourceRecordSetsCommand({
      HostedZoneId: domain.hostedZoneId,
      ChangeBatch: {
        Comment: `harbormaster ${metadata.rolloutId} r${metadata.revision} ${metadata.status}`,
        Changes: changes,
      },
    });
    let changeId: string | undefined;
    try {
      const answer = await this.retrying(() => this.client.send(command));
      changeId = answer.ChangeInfo?.Id;
      if (answer.ChangeInfo?.Status === "INSYNC") return;
    } catch (error) {
      if (isConflict(error)) throw new ConcurrentModification((error as Error).message, { cause: error });
      throw error;
    }
    await this.waitInSync(changeId ?? "");
  }

  /** Polls GetChange until Route53 has applied the change on all its name servers. */
  private async waitInSync(id: string): Promise<void> {
    const deadline = this.clock.now() + this.changeTimeoutMs;
    for (let poll = 1; ; poll++) {
      const { ChangeInfo } = await this.retrying(() => this.client.send(new GetChangeCommand({ Id: id })));
      if (ChangeInfo?.Status === "INSYNC") return;
      if (this.clock.now() >= deadline) throw new Error(`change ${id} not INSYNC after ${this.changeTimeoutMs} ms`);
      await this.clock.sleep(Math.min(1_000 * poll, 5_000));
    }
  }

  private async list(zone: string, name: string, type: string): Promise<ResourceRecordSet[]> {
    const found: ResourceRecordSet[] = [];
    let start: { name?: string; type?: string; id?: string } = { name, type };
    for (;;) {
      const page = await this.retrying(() =>
        this.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zone,
            StartRecordName: start.name,
            StartRecordType: start.type as "A",
            StartRecordIdentifier: start.id,
            MaxItems: 100,
          }),
        ),
      );
      const sets = page.ResourceRecordSets ?? [];
      const ours = sets.filter((s) => normalise(s.Name) === name && s.Type === type);
      found.push(...ours);
      // Sets come in name order: once a page holds another name, there are no more of ours.
      if (!page.IsTruncated || ours.length < sets.length) return found;
      start = { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier };
    }
  }

  private retrying<T>(op: () => Promise<T>): Promise<T> {
    return withBackoff(op, isRetryable, route53Backoff, this.clock, this.random);
  }
}
