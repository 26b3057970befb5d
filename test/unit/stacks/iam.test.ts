import { describe, expect, it } from "vitest";
import {
  deployNotifyPermissions,
  eventBridgeSendPolicy,
  interruptionPermissions,
  type Permission,
  policyDocument,
  prescalingPermissions,
  schedulerAssumeRolePolicy,
  slackCommandPermissions,
  slackWorkerPermissions,
  trafficPermissions,
  unscopableActions,
} from "../../../stacks/iam.ts";

const cluster = { region: "us-east-2", eksCluster: "prod-eks" };
const queueArn = "arn:aws:sqs:us-east-2:123456789012:q";
const dlqArn = "arn:aws:sqs:us-east-2:123456789012:dlq";
const tableArn = "arn:aws:dynamodb:us-east-2:123456789012:table/t";

const blue = { region: "us-east-2", eksCluster: "prod-blue", autoScalingGroups: ["blue-spot-a", "blue-spot-b"] };
const green = { region: "us-east-2", eksCluster: "prod-green", autoScalingGroups: [] };

const policies: Record<string, Permission[]> = {
  interruption: interruptionPermissions({
    clusters: [{ ...cluster, autoScalingGroups: ["spot-a"] }],
    queueArn,
    dlqArn,
  }),
  interruptionOfTwoClusters: interruptionPermissions({ clusters: [blue, green], queueArn, dlqArn }),
  prescaling: prescalingPermissions({ region: "us-east-2", clusters: [cluster], alarmNames: ["p99"] }),
  traffic: trafficPermissions({
    region: "us-east-2",
    hostedZoneIds: ["Z1"],
    alarmNames: ["errors"],
    schedulesInGroup: "arn:aws:scheduler:us-east-2:123456789012:schedule/g/*",
    schedulerRoleArn: "arn:aws:iam::123456789012:role/s",
  }),
  deployNotify: deployNotifyPermissions({ region: "us-east-2", bus: "default" }),
  slackCommand: slackCommandPermissions({ tableArn, queueArn }),
  slackWorker: slackWorkerPermissions({
    tableArn,
    clusters: [cluster],
    trafficBus: { region: "us-east-2", name: "default" },
  }),
};

describe("least-privilege policies", () => {
  it.each(Object.entries(policies))("%s names every action, no service wildcards", (_name, permissions) => {
    for (const action of permissions.flatMap((p) => p.actions)) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
  });

  it.each(Object.entries(policies))("%s scopes resources except for actions IAM cannot scope", (_name, permissions) => {
    for (const p of permissions) {
      if (p.resources.includes("*")) expect(unscopableActions).toEqual(expect.arrayContaining(p.actions));
      expect(p.resources.length).toBeGreaterThan(0);
    }
  });

  it("grants no write to Kubernetes-unrelated stores and no IAM beyond PassRole of its own scheduler role", () => {
    const all = Object.values(policies).flatMap((ps) => ps.flatMap((p) => p.actions));
    expect(all.filter((a) => a.startsWith("iam:"))).toEqual(["iam:PassRole"]);
    expect(all).not.toContain("dynamodb:DeleteTable");
    expect(all).not.toContain("eks:UpdateClusterConfig");
  });

  it("scopes lifecycle actions to the configured groups, or every group in the region", () => {
    const [lifecycle] = policies.interruption ?? [];
    expect(lifecycle?.resources).toEqual([
      "arn:aws:autoscaling:us-east-2:*:autoScalingGroup:*:autoScalingGroupName/spot-a",
    ]);
    const [open] = interruptionPermissions({ clusters: [{ ...cluster, autoScalingGroups: [] }], queueArn, dlqArn });
    expect(open?.resources).toEqual(["arn:aws:autoscaling:us-east-2:*:autoScalingGroup:*:autoScalingGroupName/*"]);
  });

  it("lists each served cluster's groups and EKS cluster, and reads instance and group tags on * only", () => {
    const two = interruptionPermissions({
      clusters: [
        { ...blue, autoScalingGroups: ["blue-spot-a"] },
        { ...blue, eksCluster: "prod-green", autoScalingGroups: ["green-spot"] },
      ],
      queueArn,
      dlqArn,
    });
    const of = (action: string) => two.find((p) => p.actions.includes(action))?.resources;
    expect(of("autoscaling:CompleteLifecycleAction")).toEqual([
      "arn:aws:autoscaling:us-east-2:*:autoScalingGroup:*:autoScalingGroupName/blue-spot-a",
      "arn:aws:autoscaling:us-east-2:*:autoScalingGroup:*:autoScalingGroupName/green-spot",
    ]);
    expect(of("eks:DescribeCluster")).toEqual([
      "arn:aws:eks:us-east-2:*:cluster/prod-blue",
      "arn:aws:eks:us-east-2:*:cluster/prod-green",
    ]);
    expect(two.filter((p) => p.resources.includes("*"))).toEqual([
      { actions: ["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups"], resources: ["*"] },
    ]);
    // A cluster without listed groups opens every group of its region, beside the other cluster's list.
    const open = policies.interruptionOfTwoClusters?.[0]?.resources;
    expect(open).toContain("arn:aws:autoscaling:us-east-2:*:autoScalingGroup:*:autoScalingGroupName/*");
    expect(open).toHaveLength(3);
  });

  it("lets the pre-scaler read only its own alarms and the slack worker only its table and clusters", () => {
    expect(policies.prescaling?.flatMap((p) => p.resources)).toEqual([
      "arn:aws:eks:us-east-2:*:cluster/prod-eks",
      "arn:aws:cloudwatch:us-east-2:*:alarm:p99",
    ]);
    expect(
      prescalingPermissions({ region: "us-east-2", clusters: [cluster], alarmNames: [] }).flatMap((p) => p.actions),
    ).toEqual(["eks:DescribeCluster"]);
    expect(
      prescalingPermissions({ region: "us-east-2", clusters: [blue, green], alarmNames: [] })[0]?.resources,
    ).toEqual(["arn:aws:eks:us-east-2:*:cluster/prod-blue", "arn:aws:eks:us-east-2:*:cluster/prod-green"]);
    expect(slackWorkerPermissions({ tableArn, clusters: [cluster] }).flatMap((p) => p.actions)).not.toContain(
      "events:PutEvents",
    );
    expect(slackWorkerPermissions({ tableArn, clusters: [cluster] }).flatMap((p) => p.actions)).not.toContain(
      "sqs:SendMessage",
    );
  });

  it("lets the slack worker send scale and headroom to the pre-scaling queues it is given, and nowhere else", () => {
    const permissions = slackWorkerPermissions({ tableArn, clusters: [cluster], prescalingQueueArns: [queueArn] });
    expect(permissions.filter((p) => p.actions.includes("sqs:SendMessage"))).toEqual([
      { actions: ["sqs:SendMessage"], resources: [queueArn] },
    ]);
  });

  it("renders an IAM policy document", () => {
    const doc = policyDocument(policies.deployNotify ?? []);
    expect(doc).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["events:PutEvents"], Resource: ["arn:aws:events:us-east-2:*:event-bus/default"] },
      ],
    });
  });

  it("lets only EventBridge Scheduler, from this account, assume the scheduler role", () => {
    expect(schedulerAssumeRolePolicy("123456789012").Statement[0]).toMatchObject({
      Principal: { Service: "scheduler.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });
});

describe("the queue policy for EventBridge", () => {
  it("lets only the named rules send, and only SendMessage", () => {
    const policy = eventBridgeSendPolicy(queueArn, ["arn:aws:events:us-east-2:123456789012:rule/spot"]);
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com"] },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ["arn:aws:events:us-east-2:123456789012:rule/spot"] } },
      },
    ]);
  });
});
