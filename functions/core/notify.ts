import type { InterruptionMessage } from "./events/message.ts";
import type { Notification, NotificationBase } from "./notifications.ts";
import type { NodeInfo } from "./ports.ts";
import type { ProcessorDeps } from "./processor.ts";

type NotificationBody = Notification extends infer N
  ? N extends Notification
    ? Omit<N, keyof NotificationBase>
    : never
  : never;

/** Publishes one notification, threaded by instance and first event, de-duplicated by type (and blockers). */
export async function notify(
  deps: ProcessorDeps,
  message: InterruptionMessage,
  node: NodeInfo | undefined,
  body: NotificationBody,
  threadKey = `${message.instanceId}/${message.eventId}`,
): Promise<void> {
  const base: NotificationBase = {
    threadKey,
    dedupeKey: `${threadKey}/${body.type}${body.type === "drain_blocked" ? `/${body.blocked.map((b) => b.name).join(",")}` : ""}`,
    kind: message.kind,
    instanceId: message.instanceId,
    nodeName: node?.name,
    eventId: message.eventId,
    cluster: deps.clusterName,
    at: new Date(deps.clock.now()).toISOString(),
  };
  await deps.notifier.publish({ ...base, ...body } as Notification);
}
