// Alarms on what needs a person: messages in a dead-letter queue, function errors and throttles.
// Thresholds live in stacks/settings.ts. An alarm watches a metric of its own region, so the alarms of a
// region's functions and queues are created in that region.
import { alarmActions } from "./alarm-topics.ts";
import { stageName } from "./naming.ts";
import type { RegionOptions } from "./regions.ts";
import { alarmSettings } from "./settings.ts";

export interface AlarmTargets {
  /** The region of the functions and queues below. */
  region: string;
  functions: Record<string, sst.aws.Function>;
  dlqs: Record<string, sst.aws.Queue>;
  /** `alarmTopicArn` from the config: one ARN, or one per region. */
  topicArns?: string | readonly string[];
  opts: RegionOptions;
}

export function alarms(targets: AlarmTargets) {
  const actions = alarmActions(targets.topicArns, targets.region);
  const common = { alarmActions: actions, okActions: actions, treatMissingData: "notBreaching" } as const;
  const created: aws.cloudwatch.MetricAlarm[] = [];
  for (const [name, queue] of Object.entries(targets.dlqs)) {
    const s = alarmSettings.dlqDepth;
    created.push(
      new aws.cloudwatch.MetricAlarm(
        `${name}DlqDepthAlarm`,
        {
          ...common,
          name: stageName($app.name, $app.stage, [name, "dlq-depth"], 255),
          alarmDescription: `Messages in the ${name} dead-letter queue: redrive after fixing the cause (docs/deploy.md).`,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: queue.nodes.queue.name },
          statistic: "Maximum",
          comparisonOperator: "GreaterThanThreshold",
          threshold: s.threshold,
          period: s.periodSeconds,
          evaluationPeriods: s.evaluationPeriods,
        },
        targets.opts,
      ),
    );
  }
  for (const [name, fn] of Object.entries(targets.functions)) {
    for (const metric of ["Errors", "Throttles"] as const) {
      const s = metric === "Errors" ? alarmSettings.errors : alarmSettings.throttles;
      created.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}${metric}Alarm`,
          {
            ...common,
            name: stageName($app.name, $app.stage, [name, metric.toLowerCase()], 255),
            namespace: "AWS/Lambda",
            metricName: metric,
            dimensions: { FunctionName: fn.name },
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: s.threshold,
            period: s.periodSeconds,
            evaluationPeriods: s.evaluationPeriods,
            ...("datapointsToAlarm" in s ? { datapointsToAlarm: s.datapointsToAlarm } : {}),
          },
          targets.opts,
        ),
      );
    }
  }
  return created;
}
