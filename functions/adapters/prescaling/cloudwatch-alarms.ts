import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";

/** An alarm's state now, from CloudWatch. */
export class CloudWatchAlarms {
  private readonly client = new CloudWatchClient({});

  async state(name: string): Promise<{ value: string; updatedAt: number } | undefined> {
    const { MetricAlarms = [], CompositeAlarms = [] } = await this.client.send(
      new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
    const alarm = MetricAlarms[0] ?? CompositeAlarms[0];
    if (!alarm?.StateValue || !alarm.StateUpdatedTimestamp) return undefined;
    return { value: alarm.StateValue, updatedAt: alarm.StateUpdatedTimestamp.getTime() };
  }
}
