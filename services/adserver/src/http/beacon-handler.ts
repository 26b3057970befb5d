// /v1/beacon?t=<token>&e=impression|click: counts a rendered impression or a click for reporting.
// Counted through the batcher like every counter, so a beacon never waits on Redis.
import type { ServerResponse } from "node:http";
import type { CounterBatcher } from "../counters/batcher.ts";
import { utcDay } from "../domain/pacing.ts";
import type { Metrics } from "../ops/metrics.ts";
import { DAY_COUNTER_TTL_SECONDS, keys } from "../redis/keys.ts";
import { verifyBeacon } from "../serving/beacon-token.ts";
import { sendEmpty, sendError } from "./responses.ts";

const events = { impression: "impressions", click: "clicks" } as const;
type BeaconEvent = keyof typeof events;

export interface BeaconHandlerDeps {
  batcher: CounterBatcher;
  metrics: Metrics;
  secret: string;
  maxAgeSeconds: number;
  now: () => number;
}

export function beaconHandler(deps: BeaconHandlerDeps) {
  return function handleBeacon(res: ServerResponse, query: URLSearchParams) {
    const event = query.get("e");
    const token = query.get("t");
    if (event !== "impression" && event !== "click")
      return sendError(res, 400, "bad_request", "e must be impression or click");
    if (!token) return sendError(res, 400, "bad_request", "t (the beacon token from the ad response) is required");
    const now = deps.now();
    const claims = verifyBeacon(token, deps.secret, Math.floor(now / 1000), deps.maxAgeSeconds);
    if (!claims) {
      deps.metrics.beacon(event, "invalid");
      return sendError(res, 400, "bad_request", "t is not a valid, unexpired beacon token");
    }
    deps.metrics.beacon(event, "ok");
    const field = events[event satisfies BeaconEvent];
    deps.batcher.hincr(keys.beacons(utcDay(now), claims.campaignId), field, DAY_COUNTER_TTL_SECONDS);
    sendEmpty(res, 204);
  };
}
