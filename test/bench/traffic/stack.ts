// The local stack for the rollback benchmark: moto (with the shared edge), one
// domain mid-rollout, an EventBridge bus whose deployed alarm rule feeds a queue, and the traffic handler.
import { type ChildProcess, spawn } from "node:child_process";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { CreateScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createTrafficHandler } from "../../../functions/adapters/traffic/wiring.ts";
import { trafficEventPatterns } from "../../../stacks/traffic-patterns.ts";
import { buildMoto } from "../../testbed/build/moto.ts";
import { cacheRoot } from "../../testbed/paths.ts";
import { freePort } from "../../testbed/ports.ts";
import { silentProgress } from "../../testbed/progress.ts";

export async function startMoto(): Promise<{ endpoint: string; child: ChildProcess }> {
  const { python, server } = await buildMoto({
    progress: silentProgress,
    root: cacheRoot(),
    signal: new AbortController().signal,
  });
  const port = await freePort();
  const child = spawn(python, [server, "--port", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`${endpoint}/_harbormaster/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { endpoint, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("moto did not start");
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++serial}`;

export const lambdaContext = {
  invokedFunctionArn: "arn:aws:lambda:us-east-2:123456789012:function:harbormaster-traffic",
  getRemainingTimeInMillis: () => 60_000,
  awsRequestId: "bench",
  functionName: "harbormaster-traffic",
} as never;

/** One domain at blue 90 / green 10, its rollout running, its alarm OK, and the routing in place. */
export async function scenario() {
  const route53 = new Route53Client({});
  const cloudwatch = new CloudWatchClient({});
  const events = new EventBridgeClient({});
  const sqs = new SQSClient({});
  const zoneName = `${unique("zone")}.test.`;
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: unique("r") }),
  );
  const zoneId = (HostedZone?.Id ?? "").replace("/hostedzone/", "");
  const recordName = `app.${zoneName}`;
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: ["blue", "green"].map((id, i) => ({
          Action: "CREATE" as const,
          ResourceRecordSet: {
            Name: recordName,
            Type: "A" as const,
            SetIdentifier: id,
            Weight: i === 0 ? 100 : 0,
            TTL: 60,
            ResourceRecords: [{ Value: `10.0.0.${i + 1}` }],
          },
        })),
      },
    }),
  );
  const alarm = unique("alarm");
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarm,
      Namespace: "App",
      MetricName: "5xx",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
    }),
  );
  const group = unique("group");
  await new SchedulerClient({}).send(new CreateScheduleGroupCommand({ Name: group }));
  const bus = unique("bus");
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: unique("q") }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const rule = unique("alarm-rule");
  const pattern = trafficEventPatterns([alarm]).alarmStateChange;
  await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
  await events.send(
    new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "q", Arn: Attributes?.QueueArn }] }),
  );
  const handler = createTrafficHandler(
    {
      AWS_REGION: process.env.AWS_REGION,
      HARBORMASTER_TRAFFIC_DOMAINS: JSON.stringify([
        {
          name: "app",
          hostedZoneId: zoneId,
          recordName,
          setIdentifiers: ["blue", "green"],
          alarms: [alarm],
          insufficientData: "proceed",
          plan: "Canary10Percent30Minutes",
          applications: ["shop"],
        },
      ]),
      HARBORMASTER_TRAFFIC_SCHEDULE_GROUP: group,
      HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/scheduler",
    },
    { notifier: { publish: async () => {} } },
  );
  const invoke = (event: unknown) => handler(event, lambdaContext);
  await invoke({
    id: unique("deploy"),
    source: "harbormaster.deploy",
    "detail-type": "Deployment Succeeded",
    time: new Date().toISOString(),
    detail: { application: "shop", target: "green", revision: "v2" },
  });
  const greenWeight = async () => {
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: recordName, StartRecordType: "A" }),
    );
    return ResourceRecordSets.find((s) => s.SetIdentifier === "green" && s.Name === recordName)?.Weight;
  };
  if ((await greenWeight()) !== 10) throw new Error("the rollout did not start");
  const setAlarm = (state: "OK" | "ALARM") =>
    cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: state, StateReason: "bench" }));
  return { alarm, bus, events, sqs, queueUrl: QueueUrl, invoke, greenWeight, setAlarm };
}
