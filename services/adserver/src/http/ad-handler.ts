// GET /v1/ad: parse, decide within the deadline, answer. Never a 5xx: a failure or a late decision becomes
// the configured house ad, or 204.
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

export function adHandler(deps: AdHandlerDeps) {
  const beaconBase = JSON.stringify(deps.beaconBaseUrl).slice(1, -1);
  return async function handleAd(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, requestId: string) {
    const started = performance.now();
    const parsed = parseAdQuery(query);
    if (!parsed.ok) return finish("bad_request", () => sendError(res, 400, "bad_request", parsed.message));
    const request = parsed.value;

    const decision = deps.service.decideNow(request) ?? (await decideBeforeDeadline(request));
    if (decision === DEADLINE || decision.kind === "unavailable") {
      const house = chooseFallback(deps.fallback, request);
      const outcome: Outcome = decision === DEADLINE ? "deadline" : "fallback";
      if (decision !== DEADLINE) deps.log.sampled("catalog unavailable", { requestId, error: decision.error });
      return finish(outcome, () =>
        house
          ? sendJson(res, 200, { requestId, slot: request.slot, fallback: true, ...creativeBody(house) })
          : sendEmpty(res, 204),
      );
    }
    if (decision.kind === "bad_request")
      return finish("bad_request", () => sendError(res, 400, "bad_request", decision.message));
    if (decision.kind === "no_fill") return finish("no_fill", () => sendEmpty(res, 204));

    const { campaign, creative } = decision.choice;
    const token = signBeacon(
      { campaignId: campaign.id, creativeId: creative.id, uid: request.uid, servedAt: Math.floor(deps.now() / 1000) },
      deps.beaconSecret,
    );
    // The body is spliced from a fragment serialised once per creative: requestId, slot and the token are
    // of characters JSON never escapes (see the query and request-id rules, base64url), so no JSON.stringify.
    const beacon = `"impressionUrl":"${beaconBase}/v1/beacon?t=${token}&e=impression","clickTrackingUrl":"${beaconBase}/v1/beacon?t=${token}&e=click"}`;
    return finish("served", () =>
      sendJsonText(
        res,
        200,
        `{"requestId":"${requestId}","slot":"${request.slot}",${servedFragment(campaign.id, creative)}${beacon}`,
      ),
    );

    async function decideBeforeDeadline(request: AdRequest): Promise<Decision | typeof DEADLINE> {
      const expiry = { expired: false };
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<typeof DEADLINE>((resolve) => {
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

    function finish(outcome: Outcome, send: () => void): void {
      send();
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.observeAd(outcome, seconds);
      deps.log.sampled("ad request", () => ({
        requestId,
        outcome,
        ms: seconds * 1000,
        url: req.url,
        status: res.statusCode,
      }));
    }
  };
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
