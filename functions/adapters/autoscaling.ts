import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { LifecycleActionNotFound } from "../core/errors.ts";
import type { LifecycleAction } from "../core/events/message.ts";
import type { LifecyclePort, LifecycleResult } from "../core/ports.ts";

export class AutoScalingLifecycle implements LifecyclePort {
  private readonly client: AutoScalingClient;

  constructor(client: AutoScalingClient = new AutoScalingClient({})) {
    this.client = client;
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
