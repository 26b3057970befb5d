// The formatter for each notification type; a type no feature formats gets the generic one.
import type { Notification } from "../../notifications.ts";
import type { NotificationFormatter } from "./formatter.ts";
import { genericFormatter } from "./generic.ts";
import { interruptionFormatter, interruptionTypes } from "./interruption.ts";
import { prescalingFormatter, prescalingTypes } from "./prescaling.ts";
import { trafficFormatter, trafficTypes } from "./traffic.ts";
import { upgradeFormatter, upgradeTypes } from "./upgrade.ts";

const byType = new Map<string, NotificationFormatter>();
const register = (types: readonly string[], formatter: NotificationFormatter<never>) => {
  for (const type of types) byType.set(type, formatter as unknown as NotificationFormatter);
};
register(interruptionTypes, interruptionFormatter);
register(trafficTypes, trafficFormatter);
register(prescalingTypes, prescalingFormatter);
register(upgradeTypes, upgradeFormatter);

export function formatterFor(notification: Notification): NotificationFormatter {
  return byType.get(notification.type) ?? (genericFormatter as unknown as NotificationFormatter);
}

/**
 * The notification as the formatters see it: naming its cluster. A function that serves every cluster sets
 * `cluster` itself; one deployed for a single cluster leaves it out, and its notifier's cluster is used.
 */
export function withCluster(notification: Notification, cluster: string | undefined): Notification {
  return notification.cluster || !cluster ? notification : { ...notification, cluster };
}

export { inCluster, type NotificationFormatter } from "./formatter.ts";
