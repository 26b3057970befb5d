// EventBridge patterns of the traffic function. Plain values, no SST globals, so tests use exactly
// what is deployed.
import {
  controlDetailType,
  controlSource,
  deployDetailTypes,
  deploySource,
} from "../functions/core/traffic/inbound.ts";
import { upgradeDetailType, upgradeSource } from "../functions/core/upgrade/inbound-names.ts";

export function trafficEventPatterns(alarmNames: readonly string[]) {
  return {
    // Only ALARM matters: a rollback is pushed by the state change, never found by polling.
    alarmStateChange: {
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: { alarmName: [...alarmNames], state: { value: ["ALARM"] } },
    },
    deploy: { source: [deploySource], "detail-type": Object.keys(deployDetailTypes) },
    control: { source: [controlSource], "detail-type": [controlDetailType] },
  };
}

/** The custom event that starts and steers a cluster upgrade (functions/core/upgrade/inbound-names.ts). */
export const upgradeEventPattern = { source: [upgradeSource], "detail-type": [upgradeDetailType] };
