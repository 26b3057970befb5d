import type { NodeInfo, PodInfo, Taint } from "../../core/ports.ts";
import type { WireNode, WirePod } from "./wire.ts";

export function toNodeInfo(node: WireNode): NodeInfo {
  return {
    name: node.metadata?.name ?? "",
    providerId: node.spec?.providerID,
    ready: node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    unschedulable: node.spec?.unschedulable ?? false,
    taints: (node.spec?.taints ?? []).map((t) => ({
      key: t.key,
      value: t.value,
      effect: t.effect as Taint["effect"],
      timeAdded: t.timeAdded === undefined ? undefined : new Date(t.timeAdded),
    })),
    labels: node.metadata?.labels ?? {},
    annotations: node.metadata?.annotations ?? {},
  };
}

export function toPodInfo(pod: WirePod): PodInfo {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  return {
    namespace: pod.metadata?.namespace ?? "",
    name: pod.metadata?.name ?? "",
    uid: pod.metadata?.uid ?? "",
    labels: pod.metadata?.labels ?? {},
    priority: pod.spec?.priority ?? 0,
    ownerKind: owner?.kind,
    mirror: Boolean(pod.metadata?.annotations?.["kubernetes.io/config.mirror"]),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    ready:
      pod.status?.phase === "Running" &&
      (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false),
    phase: pod.status?.phase ?? "Unknown",
    terminationGracePeriodSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30,
  };
}

/** providerID is aws:///<az>/<instance-id> on EKS. */
export function instanceIdOf(providerId: string | undefined): string | undefined {
  return providerId?.match(/\/(i-[0-9a-f]+)$/)?.[1];
}

/** Budget names from a 429's status causes ("The disruption budget web needs 3 healthy pods ..."). */
export function budgetsFromStatus(body: string): { budgets: string[]; message: string } {
  try {
    const status = JSON.parse(body) as {
      message?: string;
      details?: { causes?: { reason?: string; message?: string }[] };
    };
    const causes = status.details?.causes ?? [];
    const budgets = causes
      .map((c) => c.message?.match(/disruption budget (\S+) /)?.[1])
      .filter((name): name is string => Boolean(name));
    const message = [status.message, ...causes.map((c) => c.message)].filter(Boolean).join(" ");
    return { budgets, message };
  } catch {
    return { budgets: [], message: body.slice(0, 300) };
  }
}
