import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { loadSlackCommandConfig } from "../../config/slack-config.ts";
import { type ClusterDirectory, type IntakeDeps, intake } from "../../core/slack/intake.ts";
import { DynamoSlackState } from "./dynamo-state.ts";
import { SqsJobQueue } from "./sqs-jobs.ts";

/**
 * The slash command's Function URL: verifies and acknowledges within Slack's 3 s, queues the real work.
 * Nothing slow is loaded here (no Kubernetes client, no Slack client), so a cold start stays short.
 */
export function createSlackCommandHandler(env: NodeJS.ProcessEnv, ports: Partial<Pick<IntakeDeps, "now">> = {}) {
  const config = loadSlackCommandConfig(env);
  const logger = new Logger({ serviceName: "harbormaster-slack-command" });
  const state = new DynamoSlackState(config.table);
  const deps: IntakeDeps = {
    signingSecret: config.signingSecret,
    slashCommand: config.slashCommand,
    access: config.access,
    clusters: directory(config.clusters),
    upgrades: config.upgrades,
    replay: state,
    jobs: new SqsJobQueue(config.queueUrl),
    now: () => Date.now(),
    ...ports,
  };

  async function handleSlackRequest(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
    if (event.requestContext?.http?.method !== "POST") return text(405, "POST only");
    const rawBody = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8")
      : (event.body ?? "");
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const response = await intake(deps, { rawBody, headers });
    if ("error" in response) {
      logger.warn("slack request rejected", { status: response.status, reason: response.error });
      return text(response.status, response.error);
    }
    return {
      statusCode: response.status,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(response.reply),
    };
  }

  return middy(handleSlackRequest).use(injectLambdaContext(logger));
}

function directory(clusters: Record<string, { channels: string[] }>): ClusterDirectory {
  const channelDefaults: Record<string, string> = {};
  for (const [name, cluster] of Object.entries(clusters))
    for (const channel of cluster.channels) channelDefaults[channel] = name;
  return { names: Object.keys(clusters), channelDefaults };
}

function text(statusCode: number, body: string): LambdaFunctionURLResult {
  return { statusCode, headers: { "content-type": "text/plain; charset=utf-8" }, body };
}
