// Lambda entry point: the Slack FIFO queue → commands against the clusters, notifications into threads.
import { createSlackWorker } from "./adapters/slack/worker-wiring.ts";

export const handler = createSlackWorker(process.env);
