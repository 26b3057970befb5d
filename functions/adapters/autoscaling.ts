import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { LifecycleActionNotFound } from "../core/errors.ts";
import type { LifecycleAction } from "../core/events/message.ts";
import type { LifecyclePort, LifecycleResult } from "../core/ports.ts";
import type { ResourceTag } from "../core/routing/tags.ts";

/** DescribeAutoScalingGroups names at most 100 groups a call; 50 keeps each answer small. */
const groupsPerCall = 50;

/** The tags of Auto Scaling groups, which say whose cluster a group's instances join. */
export async function autoScalingGroupTags(
  client: AutoScalingClient,
  groupNames: readonly string[],
): Promise<Map<string, ResourceTag[]>> {
  const tags = new Map<string, ResourceTag[]>();
  for (let i = 0; i < groupNames.length; i += groupsPerCall) {
    let token: string | undefined;
    do {
      const page = await client.send(
        new DescribeAutoScalingGroupsCommand({
          AutoScalingGroupNames: groupNames.slice(i, i + groupsPerCall),
          NextToken: token,
        }),
        { abortSignal: AbortSignal.timeout(5_000) },
      );
      for (const group of page.AutoScalingGroups ?? []) {
        if (group.AutoScalingGroupName)
          tags.set(
            group.AutoScalingGroupName,
            (group.Tags ?? []).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" })),
          );
      }
      token = page.NextToken;
    } while (token);
  }
  return tags;
}

export class AutoScalingLifecycle implements LifecyclePort {
  private readonly client: AutoScalingClient;

  constructor(client: AutoScalingClient = new AutoScalingClient({})) {
    this.client = client;
  }

  groupTags(groupNames: readonly string[]): Promise<Map<string, ResourceTag[]>> {
    return autoScalingGroupTags(this.client, groupNames);
  }

  async heartbeat(action: LifecycleAction, instanceId: string): Promise<void> {
    await this.send(
      new RecordLifecycleActionHeartbeatCommand({
        AutoScalingGroupName: action.groupName,
        LifecycleHookName: action.hookName,
        LifecycleActionToken: action.token,
        InstanceId: instanceId,
      }),
    );
  }

  async complete(action: LifecycleAction, instanceId: string, result: LifecycleResult): Promise<void> {
    await this.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: action.groupName,
        LifecycleHookName: action.hookName,
        LifecycleActionToken: action.token,
        InstanceId: instanceId,
        LifecycleActionResult: result,
      }),
    );
  }

  private async send(command: CompleteLifecycleActionCommand | RecordLifecycleActionHeartbeatCommand) {
    try {
      // biome-ignore lint/suspicious/noExplicitAny: both commands share the client; the union confuses overloads.
      await this.client.send(command as any, { abortSignal: AbortSignal.timeout(10_000) });
    } catch (error) {
      if (
        error instanceof Error &&
        error.name === "ValidationError" &&
        /No active Lifecycle Action/.test(error.message)
      ) {
        throw new LifecycleActionNotFound(error.message, { cause: error });
      }
      throw error;
    }
  }
}
