// GET /v1/ad: parse, decide within the deadline, answer. Never a 5xx: a failure or a late decision becomes
// the configured house ad, or 204. A warm request (slot and user cached) is answered synchronously: no
// promise and no timer.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Creative } from "../domain/catalog.ts";
import type { AdRequest } from "../domain/request.ts";
import type { Logger } from "../ops/logger.ts";
import type { Metrics, Outcome } from "../ops/metrics.ts";
import type { AdService, Decision } from "../serving/ad-service.ts";
import { signBeacon } from "../serving/beacon-token.ts";
import { chooseFallback, type Fallback } from "../serving/fallback.ts";
import { parseAdQuery } from "./ad-query.ts";
import { sendEmpty, sendError, sendJson, sendJsonText } from "./responses.ts";

export interface AdHandlerDeps {
  service: AdService;
  fallback: Fallback;
  metrics: Metrics;
  log: Logger;
  deadlineMs: number;
  /** Kept back from the deadline for selection and writing the response after the user's counters arrive. */
  reserveMs: number;
  beaconSecret: string;
  beaconBaseUrl: string;
  now: () => number;
}

const DEADLINE = Symbol("deadline");
type Late = typeof DEADLINE;

export function adHandler(deps: AdHandlerDeps) {
  const beaconBase = JSON.stringify(deps.beaconBaseUrl).slice(1, -1);

  /** Answers at once when everything is cached; otherwise returns the promise of the answer. */
  return function handleAd(
    req: IncomingMessage,
    res: ServerResponse,
    query: string,
    requestId: string,
  ): Promise<void> | undefined {
    const started = performance.now();
    const parsed = parseAdQuery(query);
    if (!parsed.ok) {
      sendError(res, 400, "bad_request", parsed.message);
      return finish(req, res, requestId, "bad_request", started);
    }
    const request = parsed.value;
    const decision = deps.service.decideNow(request);
    if (decision !== undefined) return answer(req, res, requestId, request, decision, started);
    return decideBeforeDeadline(request).then((late) => answer(req, res, requestId, request, late, started));
  };

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    request: AdRequest,
    decision: Decision | Late,
    started: number,
  ): undefined {
    let outcome: Outcome;
    if (decision === DEADLINE || decision.kind === "unavailable") {
      outcome = decision === DEADLINE ? "deadline" : "fallback";
      if (decision !== DEADLINE) deps.log.sampled("catalog unavailable", { requestId, error: decision.error });
      const house = chooseFallback(deps.fallback, request);
      if (house) sendJson(res, 200, { requestId, slot: request.slot, fallback: true, ...creativeBody(house) });
      else sendEmpty(res, 204);
    } else if (decision.kind === "bad_request") {
      outcome = "bad_request";
      sendError(res, 400, "bad_request", decision.message);
    } else if (decision.kind === "no_fill") {
      outcome = "no_fill";
      sendEmpty(res, 204);
    } else {
      outcome = "served";
      const { campaign, creative } = decision.choice;
      const servedAt = Math.floor(deps.now() / 1000);
      const token = signBeacon(
        { campaignId: campaign.id, creativeId: creative.id, uid: request.uid, servedAt },
        deps.beaconSecret,
      );
      // Spliced from a fragment serialised once per creative: requestId, slot and the token are of characters
      // JSON never escapes (see the query and request-id rules, and the token's), so no JSON.stringify.
      sendJsonText(
        res,
        200,
        `{"requestId":"${requestId}","slot":"${request.slot}",${servedFragment(campaign.id, creative)}` +
          `"impressionUrl":"${beaconBase}/v1/beacon?t=${token}&e=impression",` +
          `"clickTrackingUrl":"${beaconBase}/v1/beacon?t=${token}&e=click"}`,
      );
    }
    return finish(req, res, requestId, outcome, started);
  }

  function finish(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    outcome: Outcome,
    started: number,
  ): undefined {
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.observeAd(outcome, seconds);
    deps.log.sampled("ad request", () => ({
      requestId,
      outcome,
      ms: seconds * 1000,
      url: req.url,
      status: res.statusCode,
    }));
    return undefined;
  }

  async function decideBeforeDeadline(request: AdRequest): Promise<Decision | Late> {
    const expiry = { expired: false };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Late>((resolve) => {
      timer = setTimeout(() => resolve(DEADLINE), deps.deadlineMs);
    });
    const decision = await Promise.race([
      deps.service
        .decide(request, deps.deadlineMs - deps.reserveMs, expiry)
        .catch((error: unknown): Decision => ({ kind: "unavailable", error })),
      deadline,
    ]);
    clearTimeout(timer);
    if (decision === DEADLINE) expiry.expired = true;
    return decision;
  }
}

const fragments = new WeakMap<object, string>();

/** `"campaignId":…,"clickUrl":…,` for a creative, serialised once (a catalog version's objects never change). */
function servedFragment(campaignId: string, creative: Creative): string {
  let fragment = fragments.get(creative);
  if (fragment === undefined) {
    const body = JSON.stringify({ campaignId, ...creativeBody(creative) });
    fragment = `${body.slice(1, -1)},`;
    fragments.set(creative, fragment);
  }
  return fragment;
}

function creativeBody(creative: { id: string; size: string; imageUrl: string; clickUrl: string }) {
  return { creativeId: creative.id, size: creative.size, imageUrl: creative.imageUrl, clickUrl: creative.clickUrl };
}
