// Deploy webhooks from GitHub (deployment events) and Argo CD Notifications, checked before anything
// else is read: GitHub signs the raw body (X-Hub-Signature-256); Argo CD sends a shared bearer token.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import * as z from "../zod.ts";
import type { DeployNotice } from "./commands.ts";
import { WebhookTooLarge, WebhookUnauthorized } from "./errors.ts";
import type { DeployStatus } from "./notifications.ts";

export interface WebhookRequest {
  path: string;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface WebhookSecrets {
  github?: string;
  argocd?: string;
}

export type WebhookResult = { notice: DeployNotice } | { ignored: string };

export type WebhookKind = "github" | "argocd";

export function webhookKind(path: string): WebhookKind | undefined {
  const last = path.replace(/\/+$/, "").split("/").at(-1);
  return last === "github" || last === "argocd" ? last : undefined;
}

/** Constant-time comparison of two strings of any length. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function authenticate(kind: WebhookKind, request: WebhookRequest, secrets: WebhookSecrets): void {
  const secret = secrets[kind];
  if (!secret) throw new WebhookUnauthorized(`no secret configured for ${kind} webhooks`);
  if (kind === "github") {
    const signature = request.headers["x-hub-signature-256"] ?? "";
    const expected = `sha256=${createHmac("sha256", secret).update(request.body).digest("hex")}`;
    if (!sameSecret(signature, expected)) throw new WebhookUnauthorized("bad X-Hub-Signature-256");
    return;
  }
  const token = (request.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
  if (!token || !sameSecret(token, secret)) throw new WebhookUnauthorized("bad bearer token");
}

const text = z.string().check(z.minLength(1), z.maxLength(200));

const githubDeployment = z.object({
  id: z.number(),
  sha: z.optional(z.string()),
  ref: z.optional(z.string()),
  environment: z.optional(z.string()),
  // GitHub passes the deployment's payload through: an object, or "" when none was given.
  payload: z.optional(
    z.union([z.looseObject({ application: z.optional(text), target: z.optional(text) }), z.string()]),
  ),
});
const githubBody = z.object({
  deployment: githubDeployment,
  deployment_status: z.optional(
    z.object({
      id: z.number(),
      state: z.string(),
      target_url: z.nullish(z.string()),
      environment_url: z.nullish(z.string()),
    }),
  ),
  repository: z.object({ name: z.string(), full_name: z.string() }),
});

const githubStates: Record<string, DeployStatus | undefined> = {
  queued: "started",
  pending: "started",
  in_progress: "started",
  success: "succeeded",
  failure: "failed",
  error: "failed",
};

function parseGithub(request: WebhookRequest): WebhookResult {
  const event = request.headers["x-github-event"];
  if (event === "ping") return { ignored: "ping" };
  if (event !== "deployment" && event !== "deployment_status") return { ignored: `GitHub event ${event}` };
  const body = githubBody.parse(JSON.parse(request.body.toString("utf8")));
  const state = event === "deployment" ? "pending" : (body.deployment_status?.state ?? "");
  const status = githubStates[state];
  if (!status) return { ignored: `deployment state ${state}` };
  const payload = typeof body.deployment.payload === "object" ? body.deployment.payload : {};
  const url = body.deployment_status?.environment_url || body.deployment_status?.target_url || undefined;
  return {
    notice: {
      source: "github",
      id: request.headers["x-github-delivery"] ?? `${body.deployment.id}/${body.deployment_status?.id ?? "created"}`,
      application: payload.application ?? body.repository.name,
      status,
      environment: body.deployment.environment,
      revision: body.deployment.sha?.slice(0, 12) ?? body.deployment.ref,
      target: payload.target,
      url: url && URL.canParse(url) ? url : undefined,
    },
  };
}

const argoPhases: Record<string, DeployStatus> = {
  started: "started",
  Running: "started",
  succeeded: "succeeded",
  Succeeded: "succeeded",
  failed: "failed",
  Failed: "failed",
  Error: "failed",
};

/** The body the documented Argo CD Notifications template sends (see docs/traffic.md). */
const argoBody = z.object({
  application: text,
  status: z
    .string()
    .check(z.refine((s) => s in argoPhases, "status must be started, succeeded or failed (or an Argo CD phase)")),
  revision: z.optional(text),
  target: z.optional(text),
  environment: z.optional(text),
  url: z.optional(z.url().check(z.maxLength(500))),
});

function parseArgo(request: WebhookRequest): WebhookResult {
  const body = argoBody.parse(JSON.parse(request.body.toString("utf8")));
  const status = argoPhases[body.status] as DeployStatus;
  // Argo CD sends no delivery id; one sync of one revision is one deploy, however often it is retried.
  const id = `argocd/${body.application}/${body.target ?? ""}/${body.revision ?? ""}/${status}`;
  const { status: _phase, ...rest } = body;
  return { notice: { ...rest, source: "argocd", status, id } };
}

/**
 * GitHub's deployment_status deliveries run to 20-30 KB (they carry whole repository, user and deployment
 * objects), Argo CD's template a few hundred bytes. Larger bodies are refused before the HMAC is computed.
 */
export const maxWebhookBytes = 64 * 1024;

/** Size first, then authentication; only then is the body parsed. */
export function readWebhook(kind: WebhookKind, request: WebhookRequest, secrets: WebhookSecrets): WebhookResult {
  if (request.body.length > maxWebhookBytes) throw new WebhookTooLarge(`the body is over ${maxWebhookBytes} bytes`);
  authenticate(kind, request, secrets);
  return kind === "github" ? parseGithub(request) : parseArgo(request);
}
