import type { PodInfo } from "../../core/ports.ts";
import type { KubeApi } from "./api.ts";
import { toPodInfo } from "./mapping.ts";
import type { List, WirePod } from "./wire.ts";

interface Entry {
  pods: Map<string, PodInfo>;
  resourceVersion: string;
  /** False once the watch has failed: the next read lists again instead of trusting the cache. */
  live: boolean;
  lastRead: number;
  abort?: AbortController;
  starting?: Promise<void>;
}

// The server ends each watch after this long and we resume from the last resourceVersion. A watch silent
// for longer than that plus a margin is a dead connection, and counts as failed.
const watchSeconds = 25;
const watchIdleMs = (watchSeconds + 10) * 1000;
/** A node nobody has asked about for this long is forgotten and its watch closed. */
const idleMs = 15_000;

/**
 * The pods of the nodes being drained, kept current by one list and then a watch per node. A drain looks
 * at its node every few hundred milliseconds; a hundred drains listing that often were the apiserver's
 * (and this process's) main load during an AZ loss. A watch sends only what changed.
 */
export class NodePods {
  private readonly api: KubeApi;
  private readonly timeoutMs: number;
  private readonly entries = new Map<string, Entry>();

  constructor(api: KubeApi, timeoutMs: number) {
    this.api = api;
    this.timeoutMs = timeoutMs;
  }

  /** The node's pods; throws like a list when the apiserver cannot be reached and no live watch covers the node. */
  async list(nodeName: string): Promise<PodInfo[]> {
    let entry = this.entries.get(nodeName);
    if (!entry?.live) entry = await this.start(nodeName);
    entry.lastRead = Date.now();
    return [...entry.pods.values()];
  }

  private async start(nodeName: string): Promise<Entry> {
    const existing = this.entries.get(nodeName);
    if (existing?.starting) {
      await existing.starting;
      return existing;
    }
    existing?.abort?.abort();
    const entry: Entry = existing ?? { pods: new Map(), resourceVersion: "", live: false, lastRead: Date.now() };
    this.entries.set(nodeName, entry);
    entry.starting = (async () => {
      const list = await this.api.send<List<WirePod>>("GET", "/api/v1/pods", {
        query: { fieldSelector: `spec.nodeName=${nodeName}` },
        timeoutMs: this.timeoutMs,
      });
      entry.pods = new Map(list.items.map((pod) => [pod.metadata?.uid ?? "", toPodInfo(pod)]));
      entry.resourceVersion = list.metadata?.resourceVersion ?? "";
      entry.live = true;
      this.follow(nodeName, entry);
    })().finally(() => {
      entry.starting = undefined;
    });
    await entry.starting;
    return entry;
  }

  private follow(nodeName: string, entry: Entry): void {
    if (Date.now() - entry.lastRead > idleMs) {
      this.entries.delete(nodeName);
      return;
    }
    const fail = () => {
      entry.live = false;
    };
    entry.abort = this.api.watch<WirePod>(
      "/api/v1/pods",
      {
        fieldSelector: `spec.nodeName=${nodeName}`,
        resourceVersion: entry.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: watchSeconds,
      },
      ({ type, object }) => {
        if (type === "ERROR") return fail(); // 410 Gone: too far behind, list again
        const rv = object.metadata?.resourceVersion;
        if (rv) entry.resourceVersion = rv;
        const uid = object.metadata?.uid ?? "";
        if (type === "ADDED" || type === "MODIFIED") entry.pods.set(uid, toPodInfo(object));
        else if (type === "DELETED") entry.pods.delete(uid);
      },
      (error) => {
        entry.abort = undefined;
        if (error || !entry.live) return fail();
        this.follow(nodeName, entry); // the server's timeout: resume where it ended
      },
      watchIdleMs,
    );
  }

  /** Closes every watch (a process that ends, a test). */
  close(): void {
    for (const entry of this.entries.values()) entry.abort?.abort();
    this.entries.clear();
  }
}
