import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import middy from "@middy/core";
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { loadDeployWebhookConfig, loadTrafficConfig } from "../../config/traffic-config.ts";
import { loadUpgradeConfig } from "../../config/upgrade-config.ts";
import type { DeployNotice } from "../../core/traffic/commands.ts";
import { WebhookTooLarge, WebhookUnauthorized } from "../../core/traffic/errors.ts";
import { parseTrafficEvent, UnrecognisedTrafficEvent } from "../../core/traffic/inbound.ts";
import type { Outcome, TrafficDeps } from "../../core/traffic/service.ts";
import { readWebhook, webhookKind } from "../../core/traffic/webhooks.ts";
import type { UpgradeDeps } from "../../core/upgrade/deps.ts";
import { prettifyError, ZodError } from "../../core/zod.ts";
import { systemClock } from "../clock.ts";
import { EmfMetrics } from "../emf-metrics.ts";
import { LogNotifier } from "../log-notifier.ts";
import { createSlackNotifier } from "../slack/queued-notifier.ts";
import { createUpgradeDeps } from "../upgrade/wiring.ts";
import { CloudWatchAlarms } from "./cloudwatch-alarms.ts";
import { DeployEventBus } from "./deploy-events.ts";
import { dispatchTrafficFunction } from "./dispatch.ts";
import { Route53Records } from "./route53-records.ts";
import { StepScheduler } from "./scheduler.ts";

export type TrafficPorts = Partial<Pick<TrafficDeps, "notifier" | "records" | "alarms" | "scheduler" | "clock">>;

/**
 * Builds the traffic function: EventBridge events (alarm state changes, deploy notices, control commands)
 * and its own step schedules. Every setting is parsed here, once. `ports` replaces adapters.
 */
export function createTrafficHandler(env: NodeJS.ProcessEnv, ports: TrafficPorts = {}) {
  const config = loadTrafficConfig(env);
  const logger = new Logger({ serviceName: "harbormaster-traffic" });
  const metrics = new Metrics({ namespace: "Harbormaster", serviceName: "traffic" });
  const clock = ports.clock ?? systemClock;
  let invokedArn = "";
  const targetArn = () => config.functionArn ?? invokedArn;
  const schedulerClient = new SchedulerClient({ requestHandler: { requestTimeout: 10_000 } });
  const deps: TrafficDeps = {
    domains: config.domains,
    records: new Route53Records(clock, config.changeTimeoutMs),
    alarms: new CloudWatchAlarms(),
    scheduler: new StepScheduler(config.scheduleGroup, config.schedulerRoleArn, targetArn, schedulerClient),
    // Slack when HARBORMASTER_SLACK_QUEUE_URL is set (queued, never blocking a rollback), else the log.
    notifier:
      createSlackNotifier(env, { log: (message, fields) => logger.error(message, fields) }) ?? new LogNotifier(logger),
    metrics: new EmfMetrics(metrics),
    clock,
    log: { info: (message, fields) => logger.info(message, fields) },
    casAttempts: 3,
    ...ports,
  };
  // Cluster upgrades ride on the same records, alarms and schedules; absent, the function is what it was.
  const upgradeConfig = loadUpgradeConfig(env, config.domains);
  const upgrades: UpgradeDeps | undefined = upgradeConfig
    ? createUpgradeDeps({
        config: upgradeConfig,
        traffic: deps,
        schedulerClient,
        scheduleGroup: config.scheduleGroup,
        schedulerRoleArn: config.schedulerRoleArn,
        targetArn,
      })
    : undefined;

  async function handleTraffic(event: unknown, context: Context): Promise<Outcome[]> {
    invokedArn = context.invokedFunctionArn.split(":").slice(0, 7).join(":"); // without a version or alias
    let command: ReturnType<typeof parseTrafficEvent>;
    try {
      command = parseTrafficEvent(event);
    } catch (error) {
      // Retrying a malformed event cannot help: log it with the reason and finish.
      if (error instanceof UnrecognisedTrafficEvent || error instanceof ZodError) {
        logger.error("traffic: unusable event", { error, event });
        return [];
      }
      throw error;
    }
    if (!command) return [];
    logger.appendKeys({ command: command.kind });
    const outcomes = await dispatchTrafficFunction(deps, upgrades, command, logger);
    logger.info("traffic: done", { outcomes });
    return outcomes;
  }

  return middy(handleTraffic).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

type WebhookAnswer = Exclude<LambdaFunctionURLResult, string>;

export interface DeployWebhookPorts {
  publish?: (notice: DeployNotice) => Promise<void>;
}

/** The Function URL that receives Argo CD Notifications and GitHub deployment webhooks. */
export function createDeployWebhookHandler(env: NodeJS.ProcessEnv, ports: DeployWebhookPorts = {}) {
  const config = loadDeployWebhookConfig(env);
  const logger = new Logger({ serviceName: "harbormaster-deploy-webhook" });
  const bus = new DeployEventBus(config.eventBusName);
  const publish = ports.publish ?? ((notice: DeployNotice) => bus.put(notice));
  const secrets = { github: config.githubSecret, argocd: config.argocdToken };
  const answer = (statusCode: number, body: object): WebhookAnswer => ({
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

  async function handleWebhook(event: LambdaFunctionURLEvent): Promise<WebhookAnswer> {
    const kind = webhookKind(event.rawPath);
    if (event.requestContext.http.method !== "POST" || !kind) return answer(404, { error: "POST /github or /argocd" });
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
    try {
      const result = readWebhook(kind, { path: event.rawPath, headers, body }, secrets);
      if ("ignored" in result) return answer(202, { ignored: result.ignored });
      await publish(result.notice);
      logger.info("deploy webhook accepted", { kind, notice: result.notice });
      return answer(202, { accepted: result.notice.id });
    } catch (error) {
      if (error instanceof WebhookUnauthorized) {
        logger.warn("deploy webhook rejected", { kind, reason: error.message });
        return answer(401, { error: "unauthorized" });
      }
      if (error instanceof WebhookTooLarge) return answer(413, { error: error.message });
      if (error instanceof ZodError) return answer(400, { error: prettifyError(error) });
      if (error instanceof SyntaxError) return answer(400, { error: "body is not JSON" });
      throw error;
    }
  }

  return middy(handleWebhook).use(injectLambdaContext(logger));
}
