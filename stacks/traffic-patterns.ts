// EventBridge patterns of the traffic function. Plain values, no SST globals, so tests use exactly
// what is deployed.
import {
  controlDetailType,
  controlSource,
  deployDetailTypes,
  deploySource,
} from "../functions/core/traffic/inbound.ts";

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
