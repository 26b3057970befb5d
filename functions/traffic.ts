// Lambda entry point: alarm state changes, deploy notices, control commands and step schedules → Route53 weights.
import { createTrafficHandler } from "./adapters/traffic/wiring.ts";

export const handler = createTrafficHandler(process.env);
