// Lambda entry point: the slash command's Function URL → verify, acknowledge, queue the work.
import { createSlackCommandHandler } from "./adapters/slack/command-wiring.ts";

export const handler = createSlackCommandHandler(process.env);
