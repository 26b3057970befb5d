import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { createTrafficHandler } from "../../functions/adapters/traffic/wiring.ts";
import type { Clock } from "../../functions/core/ports.ts";
import { decodeMetadata } from "../../functions/core/traffic/metadata.ts";
import type { TrafficNotification } from "../../functions/core/traffic/notifications.ts";
import { trafficEventPatterns } from "../../stacks/traffic-patterns.ts";
import { lambdaContext } from "./lambda.ts";
import { uniqueName } from "./testbed.ts";

/** Real time plus an offset a test moves forward, so a five-minute bake passes without waiting for it. */
export function shiftedClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))),
    advance: (ms) => {
      offset += ms;
    },
  };
}

export interface RigOptions {
  plan?: unknown;
  insufficientData?: "proceed" | "wait" | "rollback";
  sets?: Record<string, number>;
  alarms?: number;
  /** More settings for the traffic function (an upgrade's HARBORMASTER_UPGRADES and HARBORMASTER_CLUSTERS). */
  env?: Record<string, string | undefined>;
}

/**
 * A domain of the test's own in the emulator: a hosted zone with weighted A records, alarms, a schedule
 * group, and an EventBridge bus whose rules (the deployed patterns) feed a queue the test delivers from.
 */
export async function trafficRig(options: RigOptions = {}) {
  const route53 = new Route53Client({});
  const cloudwatch = new CloudWatchClient({});
  const events = new EventBridgeClient({});
  const scheduler = new SchedulerClient({});
  const sqs = new SQSClient({});
  const zoneName = `${uniqueName("zone")}.test.`;
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: uniqueName("ref") }),
  );
  const zoneId = (HostedZone?.Id ?? "").replace("/hostedzone/", "");
  const recordName = `app.${zoneName}`;
  const sets = options.sets ?? { blue: 100, green: 0 };
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: Object.entries(sets).map(([id, weight], i) => ({
          Action: "CREATE",
          ResourceRecordSet: weighted(recordName, id, weight, `10.0.0.${i + 1}`),
        })),
      },
    }),
  );
  const alarms = Array.from({ length: options.alarms ?? 1 }, () => uniqueName("alarm-5xx"));
  for (const name of alarms) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: "App",
        MetricName: "5xx",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 2,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: "OK", StateReason: "setup" }));
  }
  const group = uniqueName("traffic");
  await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
  const bus = uniqueName("bus");
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("traffic") }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  for (const [name, pattern] of Object.entries(trafficEventPatterns(alarms))) {
    const rule = uniqueName(name);
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await events.send(
      new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "q", Arn: Attributes?.QueueArn }] }),
    );
  }
  const domain = {
    name: "app",
    hostedZoneId: zoneId,
    recordName,
    setIdentifiers: Object.keys(sets).filter((id) => id !== "stranger"),
    alarms,
    insufficientData: options.insufficientData ?? "proceed",
    plan: options.plan ?? "Canary10Percent5Minutes",
    applications: ["shop"],
  };
  const env = {
    AWS_REGION: process.env.AWS_REGION,
    HARBORMASTER_TRAFFIC_DOMAINS: JSON.stringify([domain]),
    HARBORMASTER_TRAFFIC_SCHEDULE_GROUP: group,
    HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/harbormaster-scheduler",
    ...options.env,
  };
  const notifications: TrafficNotification[] = [];
  const clock = shiftedClock();
  const handler = createTrafficHandler(env, {
    clock,
    notifier: { publish: async (n) => void notifications.push(n as TrafficNotification) },
  });
  const invoke = (event: unknown) => handler(event, lambdaContext());

  const rig = {
    route53,
    zoneId,
    recordName,
    metadataName: `_harbormaster.${recordName}`,
    alarms,
    group,
    bus,
    env,
    clock,
    notifications,
    handler,
    invoke,
    types: () => notifications.map((n) => n.type),
    /** Weights on the records now, by SetIdentifier. */
    async weights(): Promise<Record<string, number>> {
      const { ResourceRecordSets = [] } = await route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: recordName, StartRecordType: "A" }),
      );
      return Object.fromEntries(
        ResourceRecordSets.filter((s) => s.Name === recordName && s.Type === "A").map((s) => [
          s.SetIdentifier,
          s.Weight,
        ]),
      );
    },
    async metadata() {
      const { ResourceRecordSets = [] } = await route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: rig.metadataName,
          StartRecordType: "TXT",
        }),
      );
      const txt = ResourceRecordSets.find((s) => s.Name === rig.metadataName && s.Type === "TXT");
      return txt ? decodeMetadata(txt.ResourceRecords?.[0]?.Value ?? "") : undefined;
    },
    /** Someone else's change: an UPSERT of one weighted set, as a person in the console would make. */
    async upsertWeight(id: string, weight: number) {
      const ip = `10.0.0.${Object.keys(sets).indexOf(id) + 1}`;
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: [{ Action: "UPSERT", ResourceRecordSet: weighted(recordName, id, weight, ip) }] },
        }),
      );
    },
    async schedules() {
      const { Schedules = [] } = await scheduler.send(new ListSchedulesCommand({ GroupName: group }));
      return Promise.all(
        Schedules.map((s) => scheduler.send(new GetScheduleCommand({ GroupName: group, Name: s.Name }))),
      );
    },
    /** What EventBridge Scheduler does when the newest schedule's time comes: invoke with its input. */
    async fireLatestSchedule() {
      const all = await rig.schedules();
      const latest = all.sort((a, b) => (a.ScheduleExpression ?? "").localeCompare(b.ScheduleExpression ?? "")).at(-1);
      if (!latest) throw new Error("no schedule to fire");
      const at = Date.parse(`${/at\((.*)\)/.exec(latest.ScheduleExpression ?? "")?.[1]}Z`);
      if (at > clock.now()) clock.advance(at - clock.now());
      return invoke(JSON.parse(latest.Target?.Input ?? "{}"));
    },
    async setAlarm(name: string, state: "OK" | "ALARM" | "INSUFFICIENT_DATA") {
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: "test" }));
    },
    /** Puts an event on this rig's bus, as AWS or CI would. */
    async put(source: string, detailType: string, detail: object) {
      const result = await events.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: bus, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
        }),
      );
      if (result.FailedEntryCount) throw new Error("PutEvents failed");
    },
    /** The state-change event CloudWatch emits (moto emits none): the state is set first, as AWS would. */
    async alarmFires(name: string) {
      await rig.setAlarm(name, "ALARM");
      await rig.put("aws.cloudwatch", "CloudWatch Alarm State Change", {
        alarmName: name,
        state: {
          value: "ALARM",
          reason: "Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).",
        },
        previousState: { value: "OK", reason: "" },
      });
    },
    /** Events the rules matched, as Lambda's EventBridge target would receive them. */
    async receive(expected = 1, maxPolls = 10) {
      const bodies: unknown[] = [];
      for (let polls = 0; bodies.length < expected && polls < maxPolls; polls++) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        bodies.push(...Messages.map((m) => JSON.parse(m.Body ?? "{}")));
        if (Messages.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
            }),
          );
        }
      }
      return bodies;
    },
    /** What Lambda's EventBridge target does: every event the rules matched, delivered to the handler. */
    async deliver(expected = 1) {
      const bodies = await rig.receive(expected);
      const results = [];
      for (const body of bodies) results.push(await invoke(body));
      return { delivered: bodies.length, results };
    },
  };
  return rig;
}

export function weighted(name: string, id: string, weight: number, ip: string) {
  return {
    Name: name,
    Type: "A" as const,
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: ip }],
  };
}
