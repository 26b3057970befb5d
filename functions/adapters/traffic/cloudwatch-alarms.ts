import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import type { AlarmState, AlarmsPort } from "../../core/traffic/ports.ts";

export class CloudWatchAlarms implements AlarmsPort {
  private readonly client: CloudWatchClient;

  constructor(client = new CloudWatchClient({ requestHandler: { requestTimeout: 10_000 } })) {
    this.client = client;
  }

  async describe(names: readonly string[]): Promise<AlarmState[]> {
    if (names.length === 0) return [];
    // DescribeAlarms takes at most 100 names; a domain has at most 10 (the config caps it).
    const answer = await this.client.send(
      new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }),
    );
    const metric = (answer.MetricAlarms ?? []).map((a) => ({
      name: a.AlarmName ?? "",
      state: a.StateValue ?? "INSUFFICIENT_DATA",
      windowSeconds: (a.Period ?? 60) * (a.EvaluationPeriods ?? 1),
    }));
    // A composite alarm has no window of its own; its children's windows are not looked up here.
    const composite = (answer.CompositeAlarms ?? []).map((a) => ({
      name: a.AlarmName ?? "",
      state: a.StateValue ?? "INSUFFICIENT_DATA",
      windowSeconds: 60,
    }));
    return [...metric, ...composite] as AlarmState[];
  }
}
