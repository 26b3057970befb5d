// Which SNS topics an alarm notifies. Plain values, no SST globals, so tests read exactly what is deployed.

/**
 * The topics of the alarm's own region: CloudWatch refuses a topic of another region, so alarms in a region
 * without one only change state (docs/deploy.md, "After the deploy").
 */
export function alarmActions(topicArns: string | readonly string[] | undefined, region: string): string[] {
  return [topicArns ?? []].flat().filter((arn) => arn.split(":")[3] === region);
}
