// k6 load test, as the seed article ran against Scissors on EKS: a constant arrival rate at a target rps.
//   k6 run -e BASE_URL=http://scissors.example -e RPS=200 -e DURATION=5m services/scissors/k6/load.js
// Paths come from PATHS (comma-separated source paths); the query mixes the thumbnail sizes the blog uses.

import { check } from "k6";
import http from "k6/http";

const base = __ENV.BASE_URL || "http://127.0.0.1:8080";
const paths = (__ENV.PATHS || "/photo.jpg").split(",");
const queries = [
  "width=512&height=512&fit=inside&quality=80",
  "width=300&height=200&quality=80",
  "width=120&height=120&format=auto",
];

export const options = {
  scenarios: {
    target_rps: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RPS || 100),
      timeUnit: "1s",
      duration: __ENV.DURATION || "1m",
      preAllocatedVUs: Number(__ENV.VUS || 50),
      maxVUs: Number(__ENV.MAX_VUS || 500),
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    http_req_duration: ["p(99)<1000"],
  },
};

export default function () {
  const path = paths[Math.floor(Math.random() * paths.length)];
  const query = queries[Math.floor(Math.random() * queries.length)];
  const response = http.get(`${base}${path}?${query}`, { headers: { accept: "image/avif,image/webp,*/*" } });
  check(response, { "status is 200": (r) => r.status === 200 });
}
