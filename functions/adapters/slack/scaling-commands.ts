// scale and headroom as messages on the cluster's pre-scaling queue: its function holds them through its
// own core, beside the policies' holds, ends them with its sweep, and its thread in Slack shows the outcome.
import { randomUUID } from "node:crypto";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { CommandMessage, ScalingCommand } from "../../core/prescaling/commands.ts";
import { defaultCommandSeconds } from "../../core/prescaling/commands.ts";
import type { CommandResult, ScalingCommands } from "../../core/slack/ports.ts";

const timeoutMs = 5_000;

export class PrescalingCommandQueue implements ScalingCommands {
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;
  private readonly cluster: string;

  constructor(cluster: string, queueUrl: string, sqs = new SQSClient({ maxAttempts: 3 })) {
    this.cluster = cluster;
    this.queueUrl = queueUrl;
    this.sqs = sqs;
  }

  scale(namespace: string, hpa: string, min: number, forSeconds: number | undefined, actor: string) {
    const what = `minReplicas of ${namespace}/${hpa} held at ${min} or more`;
    return this.send({ kind: "scale", namespace, name: hpa, min, forSeconds }, actor, what);
  }

  headroom(pods: number, forSeconds: number | undefined, actor: string) {
    return this.send(
      { kind: "headroom", replicas: pods, forSeconds },
      actor,
      `headroom held at ${pods} placeholder pods`,
    );
  }

  private async send(command: ScalingCommand, actor: string, what: string): Promise<CommandResult> {
    const message: CommandMessage = {
      harbormaster: "prescaling",
      action: "command",
      command: JSON.parse(JSON.stringify(command)) as ScalingCommand, // drops an unset forSeconds
      cluster: this.cluster,
      actor,
      requestId: randomUUID(),
      at: Date.now(),
    };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    const seconds = command.forSeconds ?? defaultCommandSeconds;
    return {
      summary: `sent to pre-scaling on ${this.cluster}: ${what} for ${duration(seconds)}, then restored; its thread shows the outcome`,
    };
  }
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean).join("") || `${seconds}s`;
}
