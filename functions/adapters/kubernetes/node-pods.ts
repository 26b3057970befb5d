import { type CoreV1Api, type KubeConfig, type V1Pod, Watch } from "@kubernetes/client-node";
import type { PodInfo } from "../../core/ports.ts";
import { toPodInfo } from "./mapping.ts";
import { requestOptions } from "./request-options.ts";

interface Entry {
  pods: Map<string, PodInfo>;
  resourceVersion: string;
  /** False once the watch has failed: the next read lists again instead of trusting the cache. */
  live: boolean;
  lastRead: number;
  abort?: AbortController;
  starting?: Promise<void>;
}

// The server ends each watch after this long and we resume from the last resourceVersion; it stays below
// client-node's 30 s inactivity timeout, which would otherwise cut a quiet watch as if it had failed.
const watchSeconds = 25;
/** A node nobody has asked about for this long is forgotten and its watch closed. */
const idleMs = 15_000;

/**
 * The pods of the nodes being drained, kept current by one list and then a watch per node. A drain looks
 * at its node every few hundred milliseconds; a hundred drains listing that often were the apiserver's
 * (and this process's) main load during an AZ loss. A watch sends only what changed.
 */
export class NodePods {
  private readonly core: CoreV1Api;
  private readonly watch: Watch;
  private readonly timeoutMs: number;
  private readonly entries = new Map<string, Entry>();

  constructor(kubeConfig: KubeConfig, core: CoreV1Api, timeoutMs: number) {
    this.core = core;
    this.watch = new Watch(kubeConfig);
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
      const list = await this.core.listPodForAllNamespaces(
        { fieldSelector: `spec.nodeName=${nodeName}` },
        requestOptions(this.timeoutMs),
      );
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
    this.watch
      .watch(
        "/api/v1/pods",
        {
          fieldSelector: `spec.nodeName=${nodeName}`,
          resourceVersion: entry.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: watchSeconds,
        },
        (type: string, object: V1Pod & { code?: number }) => {
          if (type === "ERROR") return fail(); // 410 Gone: too far behind, list again
          const rv = object.metadata?.resourceVersion;
          if (rv) entry.resourceVersion = rv;
          const uid = object.metadata?.uid ?? "";
          if (type === "ADDED" || type === "MODIFIED") entry.pods.set(uid, toPodInfo(object));
          else if (type === "DELETED") entry.pods.delete(uid);
        },
        (error: unknown) => {
          entry.abort = undefined;
          if (error || !entry.live) return fail();
          this.follow(nodeName, entry); // the server's timeout: resume where it ended
        },
      )
      .then((abort) => {
        entry.abort = abort;
      }, fail);
  }

  /** Closes every watch (a process that ends, a test). */
  close(): void {
    for (const entry of this.entries.values()) entry.abort?.abort();
    this.entries.clear();
  }
}
