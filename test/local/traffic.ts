// The traffic feature's world in the emulator: a hosted zone with the ad server's weighted blue and green
// records, the alarm that rolls a rollout back, and the schedule group for its steps. Plus what EventBridge
// Scheduler does with those steps: at their time, invoke the function with their input.

import { randomBytes } from "node:crypto";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";

export const rollbackAlarm = "adserver-green-5xx";
/** Blue's own alarm: an upgrade gates on both clusters' alarms. */
export const blueAlarm = "adserver-blue-5xx";
export const adsApplication = "adserver";

export async function createTrafficWorld(prefix: string) {
  const route53 = new Route53Client({});
  const zoneName = `${prefix}.local.`;
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `${prefix}-${randomBytes(4).toString("hex")}` }),
  );
  const zoneId = (HostedZone?.Id ?? "").replace("/hostedzone/", "");
  const recordName = `ads.${zoneName}`;
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          ["blue", 100, "10.0.1.10"],
          ["green", 0, "10.0.2.10"],
        ].map(([id, weight, ip]) => ({
          Action: "CREATE" as const,
          ResourceRecordSet: {
            Name: recordName,
            Type: "A" as const,
            SetIdentifier: id as string,
            Weight: weight as number,
            // A step bakes for the records' TTL plus the alarm's window: a short TTL and a 10 s alarm keep
            // a local rollout to seconds, with the same gate as a real one.
            TTL: 1,
            ResourceRecords: [{ Value: ip as string }],
          },
        })),
      },
    }),
  );
  const alarm = `${prefix}-${rollbackAlarm}`;
  const blue = `${prefix}-${blueAlarm}`;
  const cloudwatch = new CloudWatchClient({});
  for (const name of [alarm, blue]) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: "Harbormaster/Adserver",
        MetricName: "5xx",
        Statistic: "Sum",
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: "OK", StateReason: "start" }));
  }
  const group = `${prefix}-traffic`;
  await new SchedulerClient({}).send(new CreateScheduleGroupCommand({ Name: group }));
  const domain = {
    name: "ads",
    hostedZoneId: zoneId,
    recordName,
    setIdentifiers: ["blue", "green"],
    alarms: [alarm],
    insufficientData: "proceed",
    // Short pauses: a local rollout completes in seconds, with the same steps and checks as a real one.
    plan: {
      name: "local",
      steps: [
        { percent: 25, pauseSeconds: 3 },
        { percent: 50, pauseSeconds: 3 },
        { percent: 100, pauseSeconds: 0 },
      ],
    },
    applications: [adsApplication],
  };
  return {
    zoneId,
    recordName,
    alarm,
    alarms: { blue: [blue], green: [alarm] },
    group,
    domain: domain.name,
    domainsJson: JSON.stringify([domain]),
  };
}

/** EventBridge Scheduler for one group: fires each one-shot `at(...)` schedule when due, then deletes it. */
export function startScheduler(
  group: string,
  invoke: (input: unknown) => Promise<void>,
  onError: (e: unknown) => void,
) {
  const client = new SchedulerClient({});
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { Schedules = [] } = await client.send(new ListSchedulesCommand({ GroupName: group }));
        for (const summary of Schedules) {
          const schedule = await client.send(new GetScheduleCommand({ GroupName: group, Name: summary.Name }));
          const at = /^at\((.*)\)$/.exec(schedule.ScheduleExpression ?? "")?.[1];
          if (!at || Date.parse(`${at}Z`) > Date.now()) continue;
          await client.send(new DeleteScheduleCommand({ GroupName: group, Name: summary.Name }));
          await invoke(JSON.parse(schedule.Target?.Input ?? "{}"));
        }
      } catch (error) {
        if (running) onError(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
