import { CreatePolicyCommand, CreateRoleCommand, GetPolicyVersionCommand, IAMClient } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import {
  deployNotifyPermissions,
  interruptionPermissions,
  type Permission,
  policyDocument,
  prescalingPermissions,
  schedulerAssumeRolePolicy,
  slackCommandPermissions,
  slackWorkerPermissions,
  trafficPermissions,
  upgradePermissions,
} from "../../../stacks/iam.ts";
import { uniqueName } from "../../helpers/testbed.ts";

// IAM in the emulator validates a policy document's grammar (actions, ARNs, structure) as AWS does.
describe("the stacks' policy documents in the AWS emulator's IAM", () => {
  const iam = new IAMClient({});
  const cluster = { region: "us-east-2", eksCluster: "prod-eks" };
  const queueArn = "arn:aws:sqs:us-east-2:123456789012:q";
  const tableArn = "arn:aws:dynamodb:us-east-2:123456789012:table/t";
  const policies: Record<string, Permission[]> = {
    interruption: interruptionPermissions({
      clusters: [
        { ...cluster, autoScalingGroups: ["spot-a"] },
        { region: "us-east-2", eksCluster: "prod-green", autoScalingGroups: [] },
      ],
      queueArn,
      dlqArn: `${queueArn}-dlq`,
    }),
    prescaling: prescalingPermissions({
      region: "us-east-2",
      clusters: [cluster, { region: "us-east-2", eksCluster: "prod-green" }],
      alarmNames: ["p99"],
    }),
    traffic: trafficPermissions({
      region: "us-east-2",
      hostedZoneIds: ["Z1"],
      alarmNames: ["errors"],
      schedulesInGroup: "arn:aws:scheduler:us-east-2:123456789012:schedule/g/*",
      schedulerRoleArn: "arn:aws:iam::123456789012:role/s",
    }),
    upgrade: upgradePermissions({ clusters: [cluster, { region: "us-east-2", eksCluster: "prod-green" }] }),
    deployNotify: deployNotifyPermissions({ region: "us-east-2", bus: "default" }),
    slackCommand: slackCommandPermissions({ tableArn, queueArn }),
    slackWorker: slackWorkerPermissions({
      tableArn,
      clusters: [cluster],
      trafficBus: { region: "*", name: "default" },
    }),
  };

  it.each(Object.entries(policies))("accepts the %s policy and stores it as written", async (name, permissions) => {
    const document = policyDocument(permissions);
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: uniqueName(name), PolicyDocument: JSON.stringify(document) }),
    );
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: Policy?.Arn, VersionId: Policy?.DefaultVersionId }),
    );
    expect(JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? "{}"))).toEqual(document);
  });

  it("accepts the Scheduler role's trust policy", async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: uniqueName("scheduler"),
        AssumeRolePolicyDocument: JSON.stringify(schedulerAssumeRolePolicy("123456789012")),
      }),
    );
    expect(Role?.Arn).toMatch(/^arn:aws:iam::\d{12}:role\//);
  });

  it("rejects a malformed action, so the checks above can fail", async () => {
    const bad = policyDocument([{ actions: ["sqs SendMessage"], resources: [queueArn] }]);
    await expect(
      iam.send(new CreatePolicyCommand({ PolicyName: uniqueName("bad"), PolicyDocument: JSON.stringify(bad) })),
    ).rejects.toThrow(/MalformedPolicyDocument|Actions\/Conditions must be prefaced by a vendor/);
  });
});
