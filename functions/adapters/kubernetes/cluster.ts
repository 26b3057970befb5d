import type { ClusterPort, EvictionResult, NodeChange, NodeInfo, PodInfo } from "../../core/ports.ts";
import { KubeApi, KubernetesApiError, type Query } from "./api.ts";
import { BudgetView } from "./budgets.ts";
import type { KubeConnection } from "./connection.ts";
import { budgetsFromStatus, instanceIdOf, toNodeInfo } from "./mapping.ts";
import { NodePods } from "./node-pods.ts";
import type { List, WireNode } from "./wire.ts";

export interface KubernetesClusterOptions {
  /** Server-side dry run: the apiserver validates every write and applies none. */
  dryRun?: boolean;
  requestTimeoutMs?: number;
  /** How long the instance→node mapping is trusted before the node list is read again. */
  cacheTtlMs?: number;
}

const maxConflictRetries = 8;
/** How long a lookup that found no node is trusted before the node list is read again. */
const missTtlMs = 2_000;

/** A node as this process last read or wrote it. */
interface NodeCopy {
  node: WireNode;
  at: number;
}

interface NodeName {
  name: string;
  hostname: string | undefined;
  instanceId: string | undefined;
}
const evictionTimeoutMs = 25_000;
/**
 * A write starts from the last copy of the node this process read or wrote, if it is this recent, instead of
 * reading the node first: the write carries that copy's resourceVersion, so a stale copy costs a 409 and a
 * read, never a lost update. A drain writes its node every few seconds and almost nothing else writes it
 * meanwhile, so most writes need no read: a hundred drains send a thousand fewer requests.
 */
const writeBaseMs = 15_000;
/** "Nothing to write" is decided on a copy at most this old; an older one is read again first. */
const decideMs = 500;
const nodeCopies = 5_000;
/** The node list is the largest read (every node of the cluster); under an AZ loss's load it needs longer. */
const nodeListTimeoutMs = 30_000;
const mergePatch = "application/merge-patch+json";
// Budgets are read at most this often per process: a freed slot is seen within it. One list of a few
// dozen budgets per quarter second is cheap beside the evictions it saves sending doomed.
const budgetViewTtlMs = 250;

export class KubernetesCluster implements ClusterPort {
  private readonly api: KubeApi;
  private readonly budgets: BudgetView;
  private readonly nodePods: NodePods;
  private readonly dryRun: string | undefined;
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private nodeByInstance = new Map<string, string>();
  private nodeNames: NodeName[] = [];
  private readonly misses = new Map<string, number>();
  private cachedAt = 0;
  private listing: Promise<void> | undefined;
  private readonly copies = new Map<string, NodeCopy>();

  constructor(connection: KubeConnection, options: KubernetesClusterOptions = {}) {
    this.api = new KubeApi(connection);
    this.budgets = new BudgetView(this.api, budgetViewTtlMs);
    this.dryRun = options.dryRun ? "All" : undefined;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
    this.nodePods = new NodePods(this.api, this.timeoutMs);
  }

  async findNode(instanceId: string, likelyNames: readonly string[] = []): Promise<NodeInfo | undefined> {
    const direct = await this.readOwned(instanceId, likelyNames);
    if (direct) return toNodeInfo(direct);
    const cached = this.nodeByInstance.get(instanceId);
    if (cached ? Date.now() - this.cachedAt > this.cacheTtlMs : !this.missedRecently(instanceId))
      await this.refreshMapping();
    const name = this.nodeByInstance.get(instanceId);
    if (!name) return this.missed(instanceId);
    const node = await this.readNode(name);
    return node ? toNodeInfo(node) : undefined;
  }

  /**
   * Whether a node names the instance in its providerID. From one read when a likely name is right, else
   * from the node list alone (no read of the node): routing asks every cluster about every unrouted
   * instance, and the drain reads the node anyway.
   */
  async hasInstance(instanceId: string, likelyNames: readonly string[] = []): Promise<boolean> {
    if (await this.readOwned(instanceId, likelyNames)) return true;
    const stale = Date.now() - this.cachedAt > this.cacheTtlMs;
    if (stale || (!this.nodeByInstance.has(instanceId) && !this.missedRecently(instanceId)))
      await this.refreshMapping();
    if (this.nodeByInstance.has(instanceId)) return true;
    this.missed(instanceId);
    return false;
  }

  // The node this process mapped the instance to, else the first likely name, read and checked against
  // the providerID. At 300 lost nodes, 48 environments each listing 600 nodes timed out 800 times in a
  // burst; a read of one node by name is what the cordon needs anyway (its copy is the write's base).
  private async readOwned(instanceId: string, likelyNames: readonly string[]): Promise<WireNode | undefined> {
    const mapped = this.nodeByInstance.get(instanceId);
    const candidates = mapped ? [mapped] : likelyNames.slice(0, 1);
    for (const name of candidates) {
      // A copy this fresh is as good as a read: the cordon just wrote it, and the drain looks it up next.
      const copy = this.copies.get(name);
      const node = copy && Date.now() - copy.at <= decideMs ? copy.node : await this.readNode(name);
      if (node && instanceIdOf(node.spec?.providerID) === instanceId) {
        this.nodeByInstance.set(instanceId, name);
        return node;
      }
      if (name === mapped) this.cachedAt = 0;
    }
    return undefined;
  }

  // One list serves a burst: concurrent lookups share the request in flight.
  private refreshMapping(): Promise<void> {
    this.listing ??= (async () => {
      try {
        // With time to answer: at 300 lost nodes, 48 environments each listing 600 nodes timed out at 10 s
        // 800 times, and every timeout sent its warnings back to the queue uncordoned.
        const list = await this.api.send<List<WireNode>>("GET", "/api/v1/nodes", {
          timeoutMs: Math.max(this.timeoutMs, nodeListTimeoutMs),
        });
        const mapping = new Map<string, string>();
        const names: NodeName[] = [];
        for (const node of list.items) {
          const id = instanceIdOf(node.spec?.providerID);
          const name = node.metadata?.name ?? "";
          if (id && name) mapping.set(id, name);
          names.push({ name, hostname: node.metadata?.labels?.["kubernetes.io/hostname"], instanceId: id });
        }
        this.nodeByInstance = mapping;
        this.nodeNames = names;
        this.cachedAt = Date.now();
      } finally {
        this.listing = undefined;
      }
    })();
    return this.listing;
  }

  // Node names on EKS are the private DNS name, but custom AMIs may register the short hostname instead.
  // Only nodes without a providerID (or naming this instance) may match by name: in another VPC with an
  // overlapping CIDR, another cluster's instance has the same ip-a-b-c-d name as one of our nodes.
  async findNodeByName(instanceId: string, dnsNames: readonly string[]): Promise<NodeInfo | undefined> {
    const wanted = new Set(dnsNames.flatMap((name) => [name, name.split(".")[0] ?? name]));
    const key = `by-name:${instanceId}`;
    if (!this.missedRecently(key)) await this.refreshMapping();
    const match = this.nodeNames.find((n) => {
      if (n.instanceId && n.instanceId !== instanceId) return false;
      return wanted.has(n.name) || (n.hostname !== undefined && wanted.has(n.hostname));
    });
    const node = match && (await this.readNode(match.name));
    return node ? toNodeInfo(node) : this.missed(key);
  }

  // A miss is remembered briefly, per instance: duplicates of an event for another cluster's instance do
  // not each read the node list again (concurrent lookups of different instances share one read anyway).
  private missedRecently(key: string): boolean {
    const at = this.misses.get(key);
    return at !== undefined && Date.now() - at < missTtlMs;
  }

  private missed(key: string): undefined {
    if (this.misses.size > 10_000) this.misses.clear();
    this.misses.set(key, Date.now());
    return undefined;
  }

  async updateNode(name: string, change: (node: NodeInfo) => NodeChange | undefined): Promise<NodeInfo> {
    const copy = this.copies.get(name);
    const age = copy ? Date.now() - copy.at : Number.POSITIVE_INFINITY;
    let node = copy && age <= writeBaseMs ? copy.node : await this.getNode(name);
    // A copy from the watch cache trails the latest by milliseconds, well within decideMs: one showing the
    // change already made is as good as a read, and one behind it makes a write that the resourceVersion
    // turns into a 409 and a fresh read.
    let fresh = node !== copy?.node || age <= decideMs;
    for (let attempt = 0; ; attempt++) {
      const wanted = change(toNodeInfo(node));
      if (!wanted) {
        if (fresh) return toNodeInfo(node);
        // The copy may be behind a write that made this one unnecessary, or necessary again: read it.
        node = await this.getNode(name);
        fresh = true;
        attempt--;
        continue;
      }
      // taints have no merge key, so the whole list is written; resourceVersion makes that safe.
      const body = {
        metadata: {
          resourceVersion: node.metadata?.resourceVersion,
          labels: wanted.labels,
          annotations: wanted.annotations,
        },
        spec: { unschedulable: wanted.unschedulable, taints: wanted.taints },
      };
      try {
        const patched = await this.api.send<WireNode>("PATCH", nodePath(name), {
          ...this.options({ dryRun: this.dryRun }),
          body,
          contentType: mergePatch,
        });
        // A dry run's answer was never stored: the next write must start from what is.
        if (!this.dryRun) this.remember(name, patched);
        return toNodeInfo(patched);
      } catch (error) {
        if (!(isStatus(error, 409) && attempt < maxConflictRetries)) throw error;
        node = await this.getNode(name);
        fresh = true;
      }
    }
  }

  private async getNode(name: string): Promise<WireNode> {
    const node = await this.api.send<WireNode>("GET", nodePath(name), this.options());
    this.remember(name, node);
    return node;
  }

  private remember(name: string, node: WireNode): void {
    if (this.copies.size >= nodeCopies) this.copies.clear();
    this.copies.set(name, { node, at: Date.now() });
  }

  async deleteNode(name: string): Promise<void> {
    this.copies.delete(name);
    await this.api.send("DELETE", nodePath(name), this.options({ dryRun: this.dryRun })).catch(ignoreStatus(404));
  }

  listPods(nodeName: string): Promise<PodInfo[]> {
    return this.nodePods.list(nodeName);
  }

  /** Closes the pod watches (they also close by themselves once nobody reads them). */
  close(): void {
    this.nodePods.close();
  }

  // The queue for a budget can be long (a hundred drains in one process): a drain that must pause by
  // `notAfter` does not wait past it for its turn, so the invocation can end on time.
  // A pod whose budget the view already knows is spent is answered at once, not after a place in the
  // queue: a drain waits for all of its round's evictions before it tries its refused pods again, so one
  // long queue for another budget would hold back every slot this drain could have taken meanwhile.
  async evict(pod: PodInfo, notAfter = Number.POSITIVE_INFINITY, stop?: AbortSignal): Promise<EvictionResult> {
    const refusing = await this.refusal(pod);
    if (refusing) return refusing;
    return this.budgets.queued(pod, () =>
      Date.now() > notAfter || stop?.aborted ? Promise.resolve({ outcome: "deferred" } as const) : this.evictNow(pod),
    );
  }

  private async refusal(pod: PodInfo): Promise<EvictionResult | undefined> {
    const refusing = await this.budgets.refusing(pod).catch(() => undefined);
    if (!refusing) return undefined;
    return {
      outcome: "blocked",
      budgets: [refusing.name],
      message: `The disruption budget ${refusing.name} ${refusing.status} (not sent: it allows no disruption now)`,
    };
  }

  private async evictNow(pod: PodInfo): Promise<EvictionResult> {
    // Checked again at the head of the queue: the evictions before it may have spent the budget.
    const refusing = await this.refusal(pod);
    if (refusing) return refusing;
    try {
      await this.api.send("POST", `${podPath(pod)}/eviction`, {
        query: { dryRun: this.dryRun },
        body: {
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name: pod.name, namespace: pod.namespace },
          // The UID precondition keeps a replacement pod of the same name from being evicted by mistake.
          deleteOptions: { preconditions: { uid: pod.uid }, dryRun: this.dryRun ? [this.dryRun] : undefined },
        },
        // Never given up on before the apiserver does. It charges the budget first and deletes the pod
        // second, with the request's context: a client that hangs up in between leaves a charge and no
        // deletion, and the budget stays short by one for two minutes (the disruption controller's
        // DeletionTimeout). The apiserver's own budget retries last 10 s.
        timeoutMs: Math.max(this.timeoutMs, evictionTimeoutMs),
      });
      if (!this.dryRun) this.budgets.spent(pod);
      return { outcome: "evicted" };
    } catch (error) {
      if (!(error instanceof KubernetesApiError)) throw error;
      const body = error.body;
      if (error.code === 404 || error.code === 409) return { outcome: "gone" };
      if (error.code === 429) {
        this.budgets.exhausted(pod);
        return { outcome: "blocked", ...budgetsFromStatus(body) };
      }
      // 500 "more than one PodDisruptionBudget" is a misconfiguration the drain reports by name.
      return { outcome: "failed", status: error.code, message: budgetsFromStatus(body).message };
    }
  }

  async deletePod(pod: PodInfo, gracePeriodSeconds: number): Promise<void> {
    await this.api
      .send("DELETE", podPath(pod), {
        ...this.options({ gracePeriodSeconds, dryRun: this.dryRun }),
        body: { preconditions: { uid: pod.uid } },
      })
      .catch(ignoreStatus(404, 409));
  }

  // Lookups read from the apiserver's watch cache (resourceVersion 0), not from etcd: during an AZ loss a
  // hundred of them arrive at once, and the write that follows each carries the copy's resourceVersion, so
  // a copy behind the latest costs a 409 and a fresh read, never a lost update.
  private async readNode(name: string): Promise<WireNode | undefined> {
    try {
      const node = await this.api.send<WireNode>("GET", nodePath(name), this.options({ resourceVersion: "0" }));
      this.remember(name, node);
      return node;
    } catch (error) {
      return ignoreStatus(404)(error);
    }
  }

  private options(query?: Query) {
    return { query, timeoutMs: this.timeoutMs };
  }
}

const nodePath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`;
const podPath = (pod: PodInfo) =>
  `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}`;

function isStatus(error: unknown, code: number): boolean {
  return error instanceof KubernetesApiError && error.code === code;
}

function ignoreStatus(...codes: number[]) {
  return (error: unknown): undefined => {
    if (error instanceof KubernetesApiError && codes.includes(error.code)) return undefined;
    throw error;
  };
}
