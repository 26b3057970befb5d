// The local stack's pre-scaling policy: the ad server's p99 alarm raises blue's floor to 4 and holds headroom
// placeholders in its general pool. With a run id (tests), names follow the isolated manifests.
import type { z } from "zod";
import type { policiesSchema } from "../../functions/core/prescaling/policy.ts";
import { poolLabel } from "./cluster.ts";

export const spikeAlarm = "adserver-p99-latency";

export function localPolicies(runId?: string): z.input<typeof policiesSchema> {
  const renamed = (name: string) => (runId ? `${runId}-${name}` : name);
  return [
    {
      name: "adserver-spike",
      // The function serves blue and green; the scenarios' alarm is about blue's ad server.
      clusters: ["blue"],
      alarms: [renamed(spikeAlarm)],
      targets: [{ namespace: renamed("adserver"), name: "adserver" }],
      // Absolute: a multiple of the running count needs the HPA status, which the metrics-less testbed fills late.
      floor: { mode: "absolute", replicas: 4 },
      headroom: {
        namespace: renamed("harbormaster-system"),
        name: "headroom",
        priorityClassName: renamed("harbormaster-headroom"),
        unit: { cpu: "500m", memory: "512Mi" },
        nodeSelector: { [poolLabel]: "general" },
        sizing: { mode: "units", units: 4 },
      },
      cooldownMinutes: 0,
      maxDurationMinutes: 60,
    },
  ];
}
